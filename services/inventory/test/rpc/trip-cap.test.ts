import { Code } from "@marquee/mesh";
import { customerToken, failureOf, quotaSubjects, testId } from "@marquee/mesh/testing";
import { QuotaFailureSchema } from "@marquee/proto/google/rpc/error_details_pb.js";
import { HoldState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { expect } from "chai";
import { coach, publish, ride, tripOn, useInventory } from "../support/inventory.js";

/**
 * `max_seats_per_user` on a trip: how many seats a buyer occupies at once at any point of the route. A seat
 * counts once on each leg it is held or bought on; a hold is refused when, on some leg of its ride, the
 * buyer's seats there plus the seats asked for would pass the cap.
 */
describe("InventoryService per-user cap on a trip", () => {
  const env = useInventory();

  it("lets a buyer at the cap hold the same seats again on a disjoint ride, and refuses a third seat naming the full leg", async () => {
    const trip = await publish(env.catalog, coach, (venueId) => tripOn(venueId, { maxSeatsPerUser: 2 }));
    const token = await customerToken(testId("family"));
    const hold = async (from: string, to: string, seatIds: string[]) =>
      (await env.client.holdSeats({ eventId: trip.id, ride: ride(from, to), seatIds }, { token })).hold;

    const out = await hold("dhaka", "jessore", ["cabin:7-A", "cabin:7-B"]);
    await env.internal.commitHold({ holdId: out?.id ?? "", orderId: testId("order-family-out") });
    // The same two seats on the rest of the route: two seats at any point, within the cap of 2.
    const on = await hold("jessore", "kolkata", ["cabin:7-A", "cabin:7-B"]);
    expect(on?.state).to.equal(HoldState.ACTIVE);

    const third = await failureOf(
      env.client.holdSeats({ eventId: trip.id, ride: ride("faridpur", "jessore"), seatIds: ["cabin:8-A"] }, { token }),
    );
    expect(third.code).to.equal(Code.ResourceExhausted);
    expect(third.rawMessage).to.contain("at most 2 seats per buyer on any leg of this trip");
    expect(quotaSubjects(third)).to.deep.equal([`user:${testId("family")}/event:${trip.id}`]);
    const [violation] = third.findDetails(QuotaFailureSchema).flatMap((detail) => detail.violations);
    expect(violation?.description).to.equal(
      "holds and orders count 2 seats from faridpur to jessore; 1 more would pass the cap of 2",
    );

    // Released, the Jessore → Kolkata seats give their legs back; the bought legs still count.
    await env.client.releaseHold({ holdId: on?.id ?? "" }, { token });
    expect((await hold("benapole", "kolkata", ["cabin:8-A", "cabin:8-B"]))?.state).to.equal(HoldState.ACTIVE);
    const best = await failureOf(
      env.client.holdBestAvailable({ eventId: trip.id, ride: ride("dhaka", "faridpur"), quantity: 1 }, { token }),
    );
    expect(best.code).to.equal(Code.ResourceExhausted);
    // Another buyer's cap is their own.
    const other = await env.client.holdSeats(
      { eventId: trip.id, ride: ride("dhaka", "kolkata"), seatIds: ["cabin:9-A", "cabin:9-B"] },
      { token: await customerToken(testId("someone-else")) },
    );
    expect(other.hold?.state).to.equal(HoldState.ACTIVE);
  });
});
