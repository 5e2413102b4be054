import type { LegRange } from "@marquee/mesh";
import type { Fare, PriceTier } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";

/**
 * The tier pricing a seat of an event: the tier naming its section; failing that, the tier naming its
 * seat class. A general-admission area has no seat class (`undefined`) and is priced by section only.
 */
export function tierFor(
  tiers: readonly PriceTier[],
  sectionId: string,
  seatClass: string | undefined,
): PriceTier | undefined {
  const bySection = tiers.find((tier) => tier.sectionIds.includes(sectionId));
  if (bySection !== undefined || seatClass === undefined) return bySection;
  return tiers.find((tier) => tier.seatClasses.includes(seatClass));
}

/** The tier naming a section, if any (what GetSeatMap shows per section). */
export function sectionTierOf(tiers: readonly PriceTier[], sectionId: string): PriceTier | undefined {
  return tiers.find((tier) => tier.sectionIds.includes(sectionId));
}

/**
 * The fares of a trip, indexed for pricing rides: the legs a ride covers, as mesh's `legsOfRide` resolves
 * a request's Ride (the same rules inventory sells it by). A ride costs the fare naming exactly its two
 * stops, if there is one; otherwise the sum of the fares of its legs. At each step a fare for the seat's
 * class wins over a class-less one (`seat_class` empty: every class without its own fare). General
 * admission has no class and takes class-less fares only.
 */
export class FareTable {
  private readonly byStretch = new Map<string, bigint>();

  constructor(
    fares: readonly Fare[],
    private readonly stopIds: readonly string[],
  ) {
    for (const fare of fares) {
      this.byStretch.set(key(fare.boardingStopId, fare.alightingStopId, fare.seatClass), fare.price?.amountMinor ?? 0n);
    }
  }

  /**
   * The price of one seat of `seatClass` ("" for general admission) for the legs of a ride; undefined when
   * unpriced.
   */
  price({ fromLeg, toLeg }: LegRange, seatClass: string): bigint | undefined {
    const exact = this.stretch(fromLeg, toLeg, seatClass);
    if (exact !== undefined) return exact;
    let total = 0n;
    for (let leg = fromLeg; leg < toLeg; leg++) {
      const fare = this.stretch(leg, leg + 1, seatClass);
      if (fare === undefined) return undefined;
      total += fare;
    }
    return total;
  }

  /** The fare of a leg for a class, own or class-less; what publishing requires for every leg. */
  legFare(leg: number, seatClass: string): bigint | undefined {
    return this.stretch(leg, leg + 1, seatClass);
  }

  private stretch(from: number, to: number, seatClass: string): bigint | undefined {
    const [boarding, alighting] = [this.stopIds[from] ?? "", this.stopIds[to] ?? ""];
    return this.byStretch.get(key(boarding, alighting, seatClass)) ?? this.byStretch.get(key(boarding, alighting, ""));
  }
}

function key(boarding: string, alighting: string, seatClass: string): string {
  return JSON.stringify([boarding, alighting, seatClass]);
}

/** What lowest-price summaries need to know of an event. */
export interface Priceable {
  readonly isTrip: boolean;
  readonly priceTiers: readonly PriceTier[];
  readonly fares: readonly Fare[];
  readonly stopIds: readonly string[];
}

/**
 * The cheapest price of one seat or place: for an event, its cheapest tier; for a trip, its cheapest ride
 * over every pair of stops and every seat class on the map (`""` standing for general admission).
 * Undefined when nothing is priced.
 */
export function lowestPrice(event: Priceable, seatClasses: readonly string[]): bigint | undefined {
  const prices: bigint[] = [];
  if (!event.isTrip) {
    for (const tier of event.priceTiers) prices.push(tier.price?.amountMinor ?? 0n);
  } else {
    const table = new FareTable(event.fares, event.stopIds);
    for (let from = 0; from < event.stopIds.length - 1; from++) {
      for (let to = from + 1; to < event.stopIds.length; to++) {
        for (const seatClass of seatClasses) {
          const price = table.price({ fromLeg: from, toLeg: to }, seatClass);
          if (price !== undefined) prices.push(price);
        }
      }
    }
  }
  return prices.reduce<bigint | undefined>((low, price) => (low === undefined || price < low ? price : low), undefined);
}

/** A section of the map being sold, as pricing sees it. */
export interface PricedSection {
  readonly id: string;
  readonly isGeneralAdmission: boolean;
  /** The seat classes of its seats; empty for general admission. */
  readonly seatClasses: readonly string[];
}

/** The seat classes pricing must cover on a map, sorted: its seats' classes, and "" for general admission. */
export function seatClassesToPrice(sections: readonly PricedSection[]): string[] {
  const classes = new Set<string>();
  for (const section of sections) {
    if (section.isGeneralAdmission) classes.add("");
    for (const seatClass of section.seatClasses) classes.add(seatClass);
  }
  return [...classes].sort();
}
