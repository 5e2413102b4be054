import { Code } from "@marquee/mesh";
import { badFields, customerToken, failureOf, testId } from "@marquee/mesh/testing";
import { SeatState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { expect } from "chai";
import { coach, concertIn, hall, publish, ride, soldRows, tripOn, useInventory } from "../support/inventory.js";

describe("sold seats: ReleaseSold, and LoadEvent rebuilding Redis from the ledger", () => {
  const env = useInventory();

  async function buy(eventId: string, buyer: string, seatIds: string[], orderId: string, leg?: [string, string]) {
    const { hold } = await env.client.holdSeats(
      { eventId, seatIds, ...(leg ? { ride: ride(...leg) } : {}) },
      { token: await customerToken(testId(buyer)) },
    );
    await env.internal.commitHold({ holdId: hold?.id ?? "", orderId: testId(orderId) });
  }

  async function seatStates(eventId: string, leg?: [string, string]) {
    const { seats } = await env.client.getAvailability({
      eventId,
      includeSeats: true,
      ...(leg ? { ride: ride(...leg) } : {}),
    });
    return Object.fromEntries(seats.filter((s) => s.state !== SeatState.AVAILABLE).map((s) => [s.seatId, s.state]));
  }

  it("returns an order's seats to sale, named or all, and a retry changes nothing", async () => {
    const event = await publish(env.catalog, hall, concertIn);
    await buy(event.id, "refunded", ["stalls:B-1", "stalls:B-2", "stalls:B-3"], "order-r");
    const named = await env.internal.releaseSold({
      eventId: event.id,
      orderId: testId("order-r"),
      seatIds: ["stalls:B-2"],
    });
    expect(named.releasedSeatIds).to.deep.equal(["stalls:B-2"]);
    const again = await env.internal.releaseSold({
      eventId: event.id,
      orderId: testId("order-r"),
      seatIds: ["stalls:B-2"],
    });
    expect(again.releasedSeatIds).to.deep.equal([]);
    const rest = await env.internal.releaseSold({ eventId: event.id, orderId: testId("order-r") });
    expect(rest.releasedSeatIds).to.deep.equal(["stalls:B-1", "stalls:B-3"]);
    expect(await soldRows(env.orm, event.id)).to.deep.equal([]);
    expect(await seatStates(event.id)).to.deep.equal({});
    await buy(event.id, "resale", ["stalls:B-2"], "order-s");
    expect(await seatStates(event.id)).to.deep.equal({ "stalls:B-2": SeatState.SOLD });
  });

  it("answers NOT_FOUND for an order without seats and INVALID_ARGUMENT for a seat the order did not buy", async () => {
    const event = await publish(env.catalog, hall, concertIn);
    await buy(event.id, "buyer", ["stalls:C-1"], "order-c");
    expect(
      (await failureOf(env.internal.releaseSold({ eventId: event.id, orderId: testId("order-none") }))).code,
    ).to.equal(Code.NotFound);
    const error = await failureOf(
      env.internal.releaseSold({
        eventId: event.id,
        orderId: testId("order-c"),
        seatIds: ["stalls:C-1", "stalls:C-2"],
      }),
    );
    expect(badFields(error)).to.deep.equal(["seat_ids[1]"]);
    expect(await seatStates(event.id)).to.deep.equal({ "stalls:C-1": SeatState.SOLD });
  });

  it("after FLUSHALL sells exactly the ledger's seats and legs again, on a concert and on the coach, and drops live holds", async () => {
    const event = await publish(env.catalog, hall, concertIn);
    const trip = await publish(env.catalog, coach, tripOn);
    await buy(event.id, "a", ["stalls:A-1", "box:A-4"], "order-a");
    await buy(trip.id, "b", ["cabin:7-A"], "order-b", ["dhaka", "jessore"]);
    await buy(trip.id, "c", ["cabin:7-A", "cabin:7-B"], "order-c", ["jessore", "kolkata"]);
    await env.client.holdSeats(
      { eventId: event.id, seatIds: ["stalls:E-5"] },
      { token: await customerToken(testId("holder")) },
    );
    const rides: [string, string][] = [
      ["dhaka", "faridpur"],
      ["jessore", "benapole"],
      ["benapole", "kolkata"],
    ];
    const before = {
      event: await seatStates(event.id),
      trip: await Promise.all(rides.map((leg) => seatStates(trip.id, leg))),
    };
    expect(before.event).to.deep.equal({ "stalls:A-1": 3, "box:A-4": 3, "stalls:E-5": 2 });

    await env.redis.flushall();
    const loaded = await env.internal.loadEvent({ eventId: trip.id });
    expect(loaded).to.deep.include({ seatCount: 40, soldSeatLegs: 2 + 2 + 2 });
    expect(await seatStates(event.id)).to.deep.equal({ "stalls:A-1": 3, "box:A-4": 3 });
    expect(await Promise.all(rides.map((leg) => seatStates(trip.id, leg)))).to.deep.equal(before.trip);
    const blocked = await failureOf(
      env.client.holdSeats(
        { eventId: trip.id, ride: ride("faridpur", "benapole"), seatIds: ["cabin:7-A"] },
        { token: await customerToken(testId("d")) },
      ),
    );
    expect(blocked.code).to.equal(Code.FailedPrecondition);
    expect((await env.internal.loadEvent({ eventId: trip.id })).soldSeatLegs).to.equal(0);
  });
});
