import { create } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { EventSchema } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { expect } from "chai";
import { changedFields, mergeEvent, updatableFields } from "../../src/domain/event-update.js";
import { normalizeEvent } from "../../src/domain/normalize-event.js";
import { at, coachTrip, concert, route } from "../support/fixtures.js";

const venueId = "6d6c56a6-8f0b-4a55-9d4a-2c9d3a1e5b11";

describe("mergeEvent", () => {
  it("takes the named fields from the patch and keeps the others", () => {
    const current = create(EventSchema, concert(venueId));
    const patch = create(EventSchema, { title: "New title", description: "ignored" });
    const merged = mergeEvent(current, patch, ["title"]);
    expect(merged.title).to.equal("New title");
    expect(merged.description).to.equal(current.description);
    expect(merged.priceTiers).to.deep.equal(current.priceTiers);
  });

  it("clears a trip's start and end unless named, so they follow a new route", () => {
    const current = normalizeEvent(create(EventSchema, coachTrip(venueId)));
    const merged = normalizeEvent(mergeEvent(current, create(EventSchema, { stops: route(25) }), ["stops"]));
    expect(timestampMs(merged.startTime ?? at(0))).to.equal(timestampMs(at(25)));
  });
});

describe("changedFields", () => {
  it("lists the named fields whose values differ", () => {
    const before = create(EventSchema, concert(venueId));
    const after = create(EventSchema, concert(venueId, { title: "Other", venueId: before.venueId }));
    expect(changedFields(before, after, updatableFields)).to.deep.equal(["title"]);
  });
});

describe("normalizeEvent", () => {
  it("assigns stop and tier ids, the route's times and the event's currency to every price", () => {
    const stops = route().map(({ id: _id, ...stop }) => stop);
    const trip = normalizeEvent(create(EventSchema, coachTrip(venueId, { stops })));
    expect(trip.stops.map((stop) => stop.id)).to.deep.equal(["stop-1", "stop-2", "stop-3", "stop-4"]);
    expect(trip.startTime).to.deep.equal(trip.stops[0]?.departureTime);
    expect(trip.endTime).to.deep.equal(trip.stops[3]?.arrivalTime);
    expect(trip.fares.map((fare) => fare.price?.currencyCode)).to.deep.equal(["BDT", "BDT", "BDT"]);
    const event = normalizeEvent(
      create(EventSchema, concert(venueId, { priceTiers: [{ price: { amountMinor: 1n } }] })),
    );
    expect(event.priceTiers.map((tier) => tier.id)).to.deep.equal(["tier-1"]);
  });
});
