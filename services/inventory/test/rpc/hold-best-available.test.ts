import { Code } from "@marquee/mesh";
import { badFields, customerToken, failureOf, preconditions, testId } from "@marquee/mesh/testing";
import { expect } from "chai";
import { coach, concertIn, hall, publish, ride, tripOn, useInventory } from "../support/inventory.js";

describe("InventoryService.HoldBestAvailable", () => {
  const env = useInventory();

  it("picks adjacent seats in the front-most row that has them, and never the same seats for two buyers", async () => {
    const event = await publish(env.catalog, hall, concertIn);
    await env.client.holdSeats(
      { eventId: event.id, seatIds: ["stalls:A-3"] },
      { token: await customerToken(testId("early")) },
    );
    const pick = async (buyer: string, quantity: number) =>
      (
        await env.client.holdBestAvailable(
          { eventId: event.id, quantity, sectionId: "stalls", requireAdjacent: true },
          { token: await customerToken(testId(buyer)) },
        )
      ).hold?.seatIds;
    // A-3 is taken: row A has A-4 … A-10 free in one run.
    expect(await pick("group-of-four", 4)).to.deep.equal(["stalls:A-4", "stalls:A-5", "stalls:A-6", "stalls:A-7"]);
    expect(await pick("couple", 2)).to.deep.equal(["stalls:A-1", "stalls:A-2"]);
    expect(await pick("trio", 3)).to.deep.equal(["stalls:A-8", "stalls:A-9", "stalls:A-10"]);
    expect(await pick("next-row", 2)).to.deep.equal(["stalls:B-1", "stalls:B-2"]);
  });

  it("chooses by seat class and price tier, and holds places when the section is general admission", async () => {
    const event = await publish(env.catalog, hall, concertIn);
    const token = await customerToken(testId("chooser"));
    const premium = await env.client.holdBestAvailable(
      { eventId: event.id, quantity: 2, seatClass: "premium" },
      { token },
    );
    expect(premium.hold?.seatIds).to.deep.equal(["box:A-1", "box:A-2"]);
    const tier = await env.client.holdBestAvailable(
      { eventId: event.id, quantity: 1, priceTierId: "standard" },
      { token },
    );
    expect(tier.hold?.seatIds).to.deep.equal(["stalls:A-1"]);
    const pit = await env.client.holdBestAvailable({ eventId: event.id, quantity: 3, sectionId: "pit" }, { token });
    expect(pit.hold?.seatIds).to.deep.equal([]);
    expect(pit.hold?.places.map((p) => [p.sectionId, p.quantity])).to.deep.equal([["pit", 3]]);
  });

  it("answers FAILED_PRECONDITION when no adjacent run is free for the ride; the same seats are free on other legs", async () => {
    const trip = await publish(env.catalog, coach, tripOn);
    const token = await customerToken(testId("late-traveller"));
    const windows = await env.client.holdBestAvailable(
      { eventId: trip.id, ride: ride("jessore", "kolkata"), quantity: 8, seatClass: "window" },
      { token },
    );
    expect(windows.hold?.seatIds).to.have.length(8);
    const error = await failureOf(
      env.client.holdBestAvailable(
        { eventId: trip.id, ride: ride("jessore", "kolkata"), quantity: 8, seatClass: "window", requireAdjacent: true },
        { token: await customerToken(testId("another")) },
      ),
    );
    expect(error.code).to.equal(Code.FailedPrecondition);
    expect(preconditions(error)[0]?.type).to.equal("NOT_ENOUGH_SEATS");
    // The same window seats are free before Jessore.
    const early = await env.client.holdBestAvailable(
      { eventId: trip.id, ride: ride("dhaka", "jessore"), quantity: 8, seatClass: "window" },
      { token: await customerToken(testId("early-traveller")) },
    );
    expect(early.hold?.seatIds).to.deep.equal(windows.hold?.seatIds);
  });

  it("refuses a quantity below 1, an unknown section, class or tier, and more than the cap", async () => {
    const event = await publish(env.catalog, hall, (venueId) => concertIn(venueId, { maxSeatsPerUser: 4 }));
    const token = await customerToken(testId("picky"));
    const zero = await failureOf(env.client.holdBestAvailable({ eventId: event.id, quantity: 0 }, { token }));
    expect(badFields(zero)).to.deep.equal(["quantity"]);
    const unknown = await failureOf(
      env.client.holdBestAvailable(
        { eventId: event.id, quantity: 1, sectionId: "roof", seatClass: "gold", priceTierId: "free" },
        { token },
      ),
    );
    expect(badFields(unknown)).to.deep.equal(["section_id", "seat_class", "price_tier_id"]);
    expect(
      (await failureOf(env.client.holdBestAvailable({ eventId: event.id, quantity: 5 }, { token }))).code,
    ).to.equal(Code.ResourceExhausted);
  });
});
