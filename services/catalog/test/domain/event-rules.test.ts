import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { Checker } from "@marquee/mesh";
import { EventKind, EventSchema, HoldPolicySchema } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { expect } from "chai";
import { checkEvent, checkTierSections, resolveHoldPolicy } from "../../src/domain/event-rules.js";
import { at, coachTrip, concert, route } from "../support/fixtures.js";

const venueId = "6d6c56a6-8f0b-4a55-9d4a-2c9d3a1e5b11";

function violationsOf(init: MessageInitShape<typeof EventSchema>): string[] {
  const check = new Checker();
  checkEvent(create(EventSchema, init), check, "event");
  return check.violations.map((v) => v.field);
}

describe("checkEvent", () => {
  it("accepts a priced concert and a trip with fares", () => {
    expect(violationsOf(concert(venueId))).to.deep.equal([]);
    expect(violationsOf(coachTrip(venueId))).to.deep.equal([]);
  });

  it("needs a kind, a category, a title, a venue, a currency and start and end times", () => {
    expect(violationsOf({})).to.deep.equal([
      "event.kind",
      "event.category",
      "event.title",
      "event.venue_id",
      "event.currency_code",
      "event.start_time",
      "event.end_time",
    ]);
  });

  it("reports an empty title, an end before the start and a malformed venue id", () => {
    expect(violationsOf(concert("venue-1", { title: "  ", endTime: at(29) }))).to.deep.equal([
      "event.title",
      "event.venue_id",
      "event.end_time",
    ]);
  });

  it("reports a negative price and a price in another currency by their proto paths", () => {
    const event = concert(venueId);
    const tiers = [
      { id: "a", price: { amountMinor: -1n }, sectionIds: ["floor"] },
      { id: "b", price: { amountMinor: 1n, currencyCode: "EUR" }, seatClasses: ["standard"] },
      { id: "c", seatClasses: ["premium"] },
    ];
    expect(violationsOf({ ...event, priceTiers: tiers } as never)).to.deep.equal([
      "event.price_tiers[0].price.amount_minor",
      "event.price_tiers[1].price.currency_code",
      "event.price_tiers[2].price",
    ]);
  });

  it("reports a section or seat class two tiers price, and a tier naming neither", () => {
    const tiers = [
      { id: "a", price: { amountMinor: 1n }, sectionIds: ["floor"], seatClasses: ["standard"] },
      { id: "a", price: { amountMinor: 1n }, sectionIds: ["floor"] },
      { id: "c", price: { amountMinor: 1n }, seatClasses: ["standard"] },
      { id: "d", price: { amountMinor: 1n } },
    ];
    expect(violationsOf({ ...concert(venueId), priceTiers: tiers } as never)).to.deep.equal([
      "event.price_tiers[1].id",
      "event.price_tiers[1].section_ids[0]",
      "event.price_tiers[2].seat_classes[0]",
      "event.price_tiers[3]",
    ]);
  });

  it("reports stops on an event and fares on it", () => {
    expect(
      violationsOf(
        concert(venueId, {
          stops: route(),
          fares: [{ boardingStopId: "dhaka", alightingStopId: "faridpur", price: {} }],
        }),
      ),
    ).to.deep.equal(["event.stops", "event.fares"]);
  });

  it("refuses a trip of 34 stops, more than inventory sells, naming event.stops", () => {
    const stops = Array.from({ length: 34 }, (_, i) => ({
      id: `halt-${i}`,
      name: `Halt ${i}`,
      city: "Rajshahi",
      ...(i > 0 ? { arrivalTime: at(20, i) } : {}),
      ...(i < 33 ? { departureTime: at(20, i + 0.5) } : {}),
    }));
    const fares = stops.slice(1).map((stop, i) => ({
      boardingStopId: `halt-${i}`,
      alightingStopId: stop.id,
      price: { amountMinor: 10_000n },
    }));
    expect(violationsOf(coachTrip(venueId, { stops, fares }))).to.deep.equal(["event.stops"]);
    expect(violationsOf(coachTrip(venueId, { stops: stops.slice(0, 33), fares: fares.slice(0, 32) }))).to.deep.equal(
      [],
    );
  });

  it("reports a trip's stops out of order by the time that is out of order", () => {
    const stops = route();
    stops[1] = { ...stops[1], departureTime: at(20, 9) } as (typeof stops)[number];
    expect(violationsOf(coachTrip(venueId, { stops }))).to.deep.equal(["event.stops[2].arrival_time"]);
  });

  it("takes a trip's start and end from its route, and reports given ones that disagree", () => {
    expect(violationsOf(coachTrip(venueId, { startTime: at(20), endTime: at(20, 12) }))).to.deep.equal([]);
    expect(violationsOf(coachTrip(venueId, { startTime: at(21), endTime: at(21) }))).to.deep.equal([
      "event.start_time",
      "event.end_time",
    ]);
  });

  it("reports fares between unknown stops, backwards or repeated, and price tiers on a trip", () => {
    const fares = [
      { boardingStopId: "dhaka", alightingStopId: "goa", price: { amountMinor: 1n } },
      { boardingStopId: "jessore", alightingStopId: "dhaka", price: { amountMinor: 1n } },
      { boardingStopId: "dhaka", alightingStopId: "faridpur", price: { amountMinor: 1n } },
      { boardingStopId: "dhaka", alightingStopId: "faridpur", price: { amountMinor: 2n } },
    ];
    const priceTiers = [{ price: { amountMinor: 1n }, sectionIds: ["cabin"] }];
    expect(violationsOf(coachTrip(venueId, { fares, priceTiers }))).to.deep.equal([
      "event.price_tiers",
      "event.fares[0].alighting_stop_id",
      "event.fares[1].alighting_stop_id",
      "event.fares[3]",
    ]);
  });

  it("names fares' stops by their derived ids when the stops have none", () => {
    const stops = route().map(({ id: _id, ...stop }) => stop);
    const fares = [{ boardingStopId: "stop-1", alightingStopId: "stop-4", price: { amountMinor: 1n } }];
    expect(violationsOf(coachTrip(venueId, { stops, fares }))).to.deep.equal([]);
  });

  it("checks the hold policy's bounds, zero meaning the default", () => {
    expect(violationsOf(concert(venueId, { holdPolicy: {} }))).to.deep.equal([]);
    expect(
      violationsOf(
        concert(venueId, {
          holdPolicy: { maxSeatsPerUser: 101, holdDuration: durationFromMs(61 * 60_000), maxExtensions: 6 },
        }),
      ),
    ).to.deep.equal([
      "event.hold_policy.max_seats_per_user",
      "event.hold_policy.hold_duration",
      "event.hold_policy.max_extensions",
    ]);
  });

  it("needs sales to open before they close, and close by the end", () => {
    expect(violationsOf(concert(venueId, { salesStartTime: at(31) }))).to.deep.equal(["event.sales_start_time"]);
    expect(violationsOf(concert(venueId, { salesEndTime: at(31) }))).to.deep.equal(["event.sales_end_time"]);
    expect(violationsOf(concert(venueId, { salesStartTime: at(1), salesEndTime: at(29) }))).to.deep.equal([]);
  });

  it("does not ask an event's kind to be a trip's", () => {
    expect(violationsOf(concert(venueId, { kind: EventKind.TRIP }))).to.include("event.stops");
  });
});

describe("checkTierSections", () => {
  it("reports each section a tier names that the map does not have", () => {
    const check = new Checker();
    checkTierSections(create(EventSchema, concert(venueId)), new Set(["floor", "bowl"]), check);
    expect(check.violations).to.deep.equal([]);
    checkTierSections(create(EventSchema, concert(venueId)), new Set(["bowl"]), check);
    expect(check.violations.map((v) => v.field)).to.deep.equal(["event.price_tiers[0].section_ids[0]"]);
  });
});

describe("resolveHoldPolicy", () => {
  it("defaults to 8 seats per user, 10 minutes, 1 extension", () => {
    expect(resolveHoldPolicy(undefined)).to.deep.equal({
      maxSeatsPerUser: 8,
      holdDurationMs: 600_000,
      maxExtensions: 1,
    });
  });

  it("keeps what is set and defaults the rest", () => {
    const policy = create(HoldPolicySchema, { maxSeatsPerUser: 4, holdDuration: durationFromMs(300_000) });
    expect(resolveHoldPolicy(policy)).to.deep.equal({ maxSeatsPerUser: 4, holdDurationMs: 300_000, maxExtensions: 1 });
  });

  it("keeps an explicit 0 extensions, which an omitted count is not", () => {
    const none = create(HoldPolicySchema, { maxSeatsPerUser: 4, maxExtensions: 0 });
    expect(resolveHoldPolicy(none).maxExtensions).to.equal(0);
    expect(resolveHoldPolicy(create(HoldPolicySchema, { maxSeatsPerUser: 4 })).maxExtensions).to.equal(1);
  });
});
