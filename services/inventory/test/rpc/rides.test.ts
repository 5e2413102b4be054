import { Code } from "@marquee/mesh";
import { badFields, customerToken, failureOf, testId } from "@marquee/mesh/testing";
import { HoldState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { expect } from "chai";
import { coach, concertIn, hall, publish, ride, tripOn, useInventory } from "../support/inventory.js";

/**
 * Rides by mesh's one set of rules, as catalog prices them: an omitted Ride is the whole route; a present
 * one names both stops, or it is malformed and INVALID_ARGUMENT names each empty stop.
 */
describe("InventoryService rides", () => {
  const env = useInventory();
  let eventId = "";
  let tripId = "";
  before(async () => {
    eventId = (await publish(env.catalog, hall, concertIn)).id;
    tripId = (await publish(env.catalog, coach, tripOn)).id;
  });

  const both = ["ride.boarding_stop_id", "ride.alighting_stop_id"];
  const rpcs: [string, (id: string, r: ReturnType<typeof ride>, token: string) => Promise<unknown>][] = [
    ["GetAvailability", (id, r) => env.client.getAvailability({ eventId: id, ride: r })],
    [
      "HoldSeats",
      (id, r, token) =>
        env.client.holdSeats(
          { eventId: id, ride: r, seatIds: [id === tripId ? "cabin:1-A" : "stalls:A-1"] },
          { token },
        ),
    ],
    [
      "HoldBestAvailable",
      (id, r, token) => env.client.holdBestAvailable({ eventId: id, ride: r, quantity: 1 }, { token }),
    ],
    [
      "WatchAvailability",
      async (id, r) => {
        const abort = new AbortController();
        try {
          for await (const _ of env.client.watchAvailability({ eventId: id, ride: r }, { signal: abort.signal })) break;
        } finally {
          abort.abort();
        }
      },
    ],
  ];

  for (const [name, call] of rpcs) {
    it(`${name}: a present ride with both stops empty is INVALID_ARGUMENT naming both, on a trip and on an event`, async () => {
      const token = await customerToken(testId("rider"));
      for (const id of [tripId, eventId]) {
        const error = await failureOf(call(id, ride("", ""), token));
        expect(error.code, id).to.equal(Code.InvalidArgument);
        expect(badFields(error), id).to.deep.equal(both);
      }
      const unknown = await failureOf(call(tripId, ride("sylhet", "chittagong"), token));
      expect(badFields(unknown)).to.deep.equal(both);
    });
  }

  it("takes an omitted ride as the whole route, and changes nothing for a refused one", async () => {
    const token = await customerToken(testId("whole-route"));
    const { hold } = await env.client.holdSeats({ eventId: tripId, seatIds: ["cabin:2-A"] }, { token });
    expect(hold?.state).to.equal(HoldState.ACTIVE);
    expect(hold?.ride).to.deep.include({ boardingStopId: "dhaka", alightingStopId: "kolkata" });
    const { sections } = await env.client.getAvailability({ eventId: tripId, ride: ride("benapole", "kolkata") });
    expect(sections[0]).to.deep.include({ held: 1, sold: 0 });
    const { sections: event } = await env.client.getAvailability({ eventId });
    expect(event.every((s) => s.held === 0 && s.sold === 0)).to.equal(true);
  });
});
