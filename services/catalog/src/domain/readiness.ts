import type { PreconditionViolation } from "@marquee/mesh";
import { type Event, EventKind, type Fare, type PriceTier } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { FareTable, type PricedSection, seatClassesToPrice } from "./pricing.js";

/** What publish readiness needs of an event. */
export interface PublishCandidate {
  readonly isTrip: boolean;
  readonly endTime: Date;
  readonly priceTiers: readonly PriceTier[];
  readonly fares: readonly Fare[];
  readonly stopIds: readonly string[];
}

/** The candidate an Event message is, with its stored end time. */
export function publishCandidateOf(event: Event, endTime: Date): PublishCandidate {
  return {
    isTrip: event.kind === EventKind.TRIP,
    endTime,
    priceTiers: event.priceTiers,
    fares: event.fares,
    stopIds: event.stops.map((stop) => stop.id),
  };
}

/**
 * Every reason an event cannot go on sale yet, each its own violation (empty when it can): it has ended;
 * for an event, a section without a tier (general admission) or a seat class of a section no tier prices,
 * and a tier naming a section the venue no longer has; for a trip, a leg without a fare for a seat class
 * on the map (general admission needs class-less fares).
 */
export function publishGaps(
  event: PublishCandidate,
  sections: readonly PricedSection[],
  now: Date,
): PreconditionViolation[] {
  const gaps: PreconditionViolation[] = [];
  if (event.endTime.getTime() <= now.getTime()) {
    gaps.push({ type: "EVENT_ENDED", subject: "end_time", description: "the event has already ended" });
  }
  if (event.isTrip) gaps.push(...legGaps(event, sections));
  else gaps.push(...tierGaps(event.priceTiers, sections));
  return gaps;
}

function tierGaps(tiers: readonly PriceTier[], sections: readonly PricedSection[]): PreconditionViolation[] {
  const gaps: PreconditionViolation[] = [];
  const known = new Set(sections.map((section) => section.id));
  tiers.forEach((tier, i) => {
    tier.sectionIds.forEach((sectionId, j) => {
      if (known.has(sectionId)) return;
      gaps.push({
        type: "UNKNOWN_SECTION",
        subject: `price_tiers[${i}].section_ids[${j}]`,
        description: `the venue has no section ${JSON.stringify(sectionId)} any more`,
      });
    });
  });
  for (const section of sections) {
    if (tiers.some((tier) => tier.sectionIds.includes(section.id))) continue;
    if (section.isGeneralAdmission) {
      gaps.push({
        type: "UNPRICED_SECTION",
        subject: `section:${section.id}`,
        description: `no price tier names the general-admission area ${JSON.stringify(section.id)}`,
      });
      continue;
    }
    for (const seatClass of section.seatClasses) {
      if (tiers.some((tier) => tier.seatClasses.includes(seatClass))) continue;
      gaps.push({
        type: "UNPRICED_SEATS",
        subject: `section:${section.id}/seat_class:${seatClass}`,
        description: `no price tier names section ${JSON.stringify(section.id)} or seat class ${JSON.stringify(seatClass)}`,
      });
    }
  }
  return gaps;
}

function legGaps(event: PublishCandidate, sections: readonly PricedSection[]): PreconditionViolation[] {
  const classes = seatClassesToPrice(sections);
  const table = new FareTable(event.fares, event.stopIds);
  const gaps: PreconditionViolation[] = [];
  for (let leg = 0; leg < event.stopIds.length - 1; leg++) {
    const [from, to] = [event.stopIds[leg], event.stopIds[leg + 1]];
    for (const seatClass of classes) {
      if (table.legFare(leg, seatClass) !== undefined) continue;
      const who = seatClass === "" ? "general admission" : `seat class ${JSON.stringify(seatClass)}`;
      gaps.push({
        type: "LEG_WITHOUT_FARE",
        subject: `leg:${leg}/${from}->${to}${seatClass === "" ? "" : `/seat_class:${seatClass}`}`,
        description: `no fare from ${from} to ${to} for ${who}`,
      });
    }
  }
  return gaps;
}
