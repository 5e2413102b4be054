import { create } from "@bufbuild/protobuf";
import { FareSchema, PriceTierSchema } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { expect } from "chai";
import { type PublishCandidate, publishGaps } from "../../src/domain/readiness.js";

const now = new Date("2030-01-01T00:00:00Z");
const later = new Date("2030-02-01T00:00:00Z");

const sections = [
  { id: "floor", isGeneralAdmission: true, seatClasses: [] },
  { id: "bowl", isGeneralAdmission: false, seatClasses: ["premium", "standard"] },
  { id: "box", isGeneralAdmission: false, seatClasses: ["premium"] },
];

function event(overrides: Partial<PublishCandidate> = {}): PublishCandidate {
  return { isTrip: false, endTime: later, priceTiers: [], fares: [], stopIds: [], ...overrides };
}

describe("publishGaps", () => {
  it("lists every unpriced general-admission area and every unpriced seat class of each section", () => {
    expect(publishGaps(event(), sections, now).map((gap) => gap.subject)).to.deep.equal([
      "section:floor",
      "section:bowl/seat_class:premium",
      "section:bowl/seat_class:standard",
      "section:box/seat_class:premium",
    ]);
  });

  it("finds nothing missing when a tier names each section or seat class", () => {
    const priceTiers = [
      create(PriceTierSchema, { id: "a", price: { amountMinor: 1n }, sectionIds: ["floor", "box"] }),
      create(PriceTierSchema, { id: "b", price: { amountMinor: 1n }, seatClasses: ["premium", "standard"] }),
    ];
    expect(publishGaps(event({ priceTiers }), sections, now)).to.deep.equal([]);
  });

  it("reports a tier naming a section the venue no longer has", () => {
    const priceTiers = [
      create(PriceTierSchema, { id: "a", price: { amountMinor: 1n }, sectionIds: ["floor", "bowl", "box", "gone"] }),
    ];
    expect(publishGaps(event({ priceTiers }), sections, now)).to.deep.equal([
      {
        type: "UNKNOWN_SECTION",
        subject: "price_tiers[0].section_ids[3]",
        description: 'the venue has no section "gone" any more',
      },
    ]);
  });

  it("reports an event that has ended", () => {
    const priceTiers = [
      create(PriceTierSchema, { id: "a", price: { amountMinor: 1n }, sectionIds: ["floor", "bowl", "box"] }),
    ];
    const gaps = publishGaps(event({ priceTiers, endTime: now }), sections, now);
    expect(gaps.map((gap) => gap.type)).to.deep.equal(["EVENT_ENDED"]);
  });

  it("lists every leg of a trip without a fare, per seat class on the map", () => {
    const fares = [
      create(FareSchema, { boardingStopId: "a", alightingStopId: "b", price: { amountMinor: 1n } }),
      create(FareSchema, {
        boardingStopId: "b",
        alightingStopId: "c",
        seatClass: "standard",
        price: { amountMinor: 1n },
      }),
    ];
    const coach = [{ id: "cabin", isGeneralAdmission: false, seatClasses: ["business", "standard"] }];
    const gaps = publishGaps(event({ isTrip: true, fares, stopIds: ["a", "b", "c", "d"] }), coach, now);
    expect(gaps.map((gap) => gap.subject)).to.deep.equal([
      "leg:1/b->c/seat_class:business",
      "leg:2/c->d/seat_class:business",
      "leg:2/c->d/seat_class:standard",
    ]);
  });

  it("asks class-less fares for general admission on a trip", () => {
    const fares = [create(FareSchema, { boardingStopId: "a", alightingStopId: "b", seatClass: "x", price: {} })];
    const deck = [{ id: "deck", isGeneralAdmission: true, seatClasses: [] }];
    const gaps = publishGaps(event({ isTrip: true, fares, stopIds: ["a", "b"] }), deck, now);
    expect(gaps.map((gap) => gap.subject)).to.deep.equal(["leg:0/a->b"]);
  });
});
