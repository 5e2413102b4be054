import assert from "node:assert/strict";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { SeatsReleasedSchema, SeatsSoldSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import {
  AvailabilityLevel,
  ResultKind,
  type SearchEventsResponse,
} from "@marquee/proto/marquee/search/v1/search_pb.js";
import { coach, idsOf, publish, startSearch, type TestSearch } from "../support/testing.js";

describe("SearchService.SearchEvents with origin_city and destination_city", () => {
  let search: TestSearch;
  // A route of this file's own: other tests' coaches run Dhaka → Kolkata too.
  const trip = coach({ capacity: 4, title: `Benapole Express ${Date.now()}` });
  const inTrip = (response: SearchEventsResponse) => response.results.filter((result) => result.id === trip.id);

  before(async () => {
    search = await startSearch();
    await search.publishEvent(trip);
    await search.searchUntil({ query: trip.title }, (r) => r.results.length === 1, "the coach");
  });
  after(async () => {
    await search?.close();
  });

  it("finds the Dhaka → Kolkata coach from Jessore to Kolkata, describing that ride", async () => {
    const response = await search.client.searchEvents({ originCity: "jessore", destinationCity: "KOLKATA" });
    const [result] = inTrip(response);
    assert.ok(result, "the coach stops at Jessore before Kolkata");
    const bus = response.categoryFacets.find((facet) => facet.category === "bus");
    assert.equal(bus?.count, response.totalSize, "counted from the rides: every match is a bus");
    assert.equal(result.kind, ResultKind.TRIP);
    assert.deepEqual(result.ride, {
      $typeName: "marquee.api.v1.Ride",
      boardingStopId: "jessore",
      alightingStopId: "kolkata",
    });
    assert.equal(result.city, "Jessore");
    const jessore = trip.stops[1];
    assert.ok(jessore?.departureTime && result.startTime);
    assert.equal(timestampDate(result.startTime).getTime(), timestampDate(jessore.departureTime).getTime());
    assert.equal(result.lowestPrice?.amountMinor, 120_000n, "the Jessore → Kolkata leg's fare");
    assert.equal(result.availability, AvailabilityLevel.AVAILABLE);
    assert.deepEqual(
      result.stops.map((stop) => stop.stopId),
      ["dhaka", "jessore", "kolkata"],
    );
  });

  it("prices the whole route by its through fare, cheaper than the legs' sum", async () => {
    const [result] = inTrip(await search.client.searchEvents({ originCity: "Dhaka", destinationCity: "Kolkata" }));
    assert.equal(result?.lowestPrice?.amountMinor, 180_000n);
    assert.equal(result?.ride?.boardingStopId, "dhaka");
  });

  it("does not find it from Kolkata to Jessore: the stops come the other way", async () => {
    const response = await search.client.searchEvents({ originCity: "Kolkata", destinationCity: "Jessore" });
    assert.deepEqual(inTrip(response), []);
  });

  it("with only an origin, rides to the last stop; with only a destination, from the first", async () => {
    const [fromJessore] = inTrip(await search.client.searchEvents({ originCity: "Jessore" }));
    assert.equal(fromJessore?.ride?.alightingStopId, "kolkata");
    const [toJessore] = inTrip(await search.client.searchEvents({ destinationCity: "Jessore" }));
    assert.deepEqual([toJessore?.ride?.boardingStopId, toJessore?.ride?.alightingStopId], ["dhaka", "jessore"]);
    assert.equal(toJessore?.lowestPrice?.amountMinor, 80_000n);
    assert.deepEqual(inTrip(await search.client.searchEvents({ originCity: "Kolkata" })), [], "Kolkata is the end");
  });

  it("leaves out a ride whose legs are sold out, and only that ride; seats released come back", async () => {
    // Every seat sold Jessore → Kolkata: that ride and the whole route are sold out, Dhaka → Jessore is not.
    const ride = { boardingStopId: "jessore", alightingStopId: "kolkata" };
    const seatIds = ["1A", "1B", "2A", "2B"];
    const orderId = crypto.randomUUID();
    await publish("inventory", SeatsSoldSchema, { eventId: trip.id, orderId, holdId: "h", ride, seatIds });
    const soldOut = { originCity: "Jessore", destinationCity: "Kolkata" };
    const [shown] = inTrip(
      await search.searchUntil(
        soldOut,
        (r) => inTrip(r)[0]?.availability === AvailabilityLevel.SOLD_OUT,
        "the ride sold out",
      ),
    );
    assert.equal(shown?.lowestPrice?.amountMinor, 120_000n, "a sold-out ride still shows its fare");
    assert.deepEqual(inTrip(await search.client.searchEvents({ ...soldOut, onlyAvailable: true })), []);
    const whole = { originCity: "Dhaka", destinationCity: "Kolkata", onlyAvailable: true };
    assert.deepEqual(inTrip(await search.client.searchEvents(whole)), [], "the whole route crosses the sold leg");
    const [firstLeg] = inTrip(
      await search.client.searchEvents({ originCity: "Dhaka", destinationCity: "Jessore", onlyAvailable: true }),
    );
    assert.equal(firstLeg?.availability, AvailabilityLevel.AVAILABLE, "no seat is sold Dhaka → Jessore");
    const [trips] = [await search.client.searchEvents({ query: trip.title, onlyAvailable: true })];
    assert.deepEqual(idsOf(trips), [], "without a ride, a trip shows the whole route");

    await publish("inventory", SeatsReleasedSchema, {
      eventId: trip.id,
      orderId,
      ride,
      seatIds: ["1A", "1B", "2A"],
      availableAfter: 3,
    });
    const [back] = inTrip(
      await search.searchUntil(
        { ...soldOut, onlyAvailable: true },
        (r) => inTrip(r).length === 1,
        "the released seats on sale again",
      ),
    );
    assert.equal(back?.availability, AvailabilityLevel.AVAILABLE, "3 of 4 seats free for the ride");
  });
});
