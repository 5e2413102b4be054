import type { Fare } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { keyOf } from "./text.js";

/** A stop of a trip as the read model keeps it (the catalog's TripStop, times as ISO strings). */
export interface StopRecord {
  readonly id: string;
  readonly name: string;
  readonly city: string;
  readonly arrivalTime?: string;
  readonly departureTime?: string;
}

/**
 * A ride the route search can answer with: from stop `fromIndex` to stop `toIndex`, legs [fromIndex,
 * toIndex). One per (boarding city, alighting city) pair of a trip, so a result names its trip once even
 * when a city has two stops: it boards at the first stop in the boarding city and alights at the last stop
 * in the alighting city after it — the longest ride between the two cities, which ends at the route's end
 * when the alighting city is the last stop's (what an origin-only search asks for) and starts at the
 * route's start when the boarding city is the first stop's (a destination-only search).
 */
export interface RideRecord {
  readonly fromIndex: number;
  readonly toIndex: number;
  readonly boardingCityKey: string;
  readonly alightingCityKey: string;
  readonly departureTime: string;
  /** Bit i set: the ride covers leg i. */
  readonly legMask: number;
  readonly lowestPriceMinor: bigint;
}

/** The bits of legs [fromLeg, toLeg); legs are at most 32 (mesh's MAX_LEGS), so an unsigned 32-bit int. */
export function legMaskOf(fromLeg: number, toLeg: number): number {
  let mask = 0;
  for (let leg = fromLeg; leg < toLeg; leg++) mask |= 1 << leg;
  return mask >>> 0;
}

/** Every ride of a trip the search answers with, one per ordered pair of distinct cities; priced by `fares`. */
export function ridesOf(stops: readonly StopRecord[], fares: readonly Fare[]): RideRecord[] {
  const keys = stops.map((stop) => keyOf(stop.city));
  const rides = new Map<string, RideRecord>();
  for (let from = 0; from < stops.length - 1; from++) {
    for (let to = stops.length - 1; to > from; to--) {
      const [boardingCityKey, alightingCityKey] = [keys[from] ?? "", keys[to] ?? ""];
      if (boardingCityKey === alightingCityKey) continue;
      const pair = `${boardingCityKey}\u0000${alightingCityKey}`;
      // From the first boarding stop and, for it, the last alighting stop: the first found of each pair.
      if (rides.has(pair)) continue;
      const price = lowestFare(stops, fares, from, to);
      if (price === undefined) continue;
      rides.set(pair, {
        fromIndex: from,
        toIndex: to,
        boardingCityKey,
        alightingCityKey,
        departureTime: stops[from]?.departureTime ?? "",
        legMask: legMaskOf(from, to),
        lowestPriceMinor: price,
      });
    }
  }
  return [...rides.values()];
}

/**
 * The cheapest price of one seat from stop `from` to stop `to`, over the seat classes the fares name,
 * by catalog's rule (the proto's Fare): the fare naming exactly the two stops wins, otherwise the sum of
 * the legs' fares, a class's own fare before a class-less one. Undefined when no class is priced for the
 * whole ride. The same rule as catalog's FareTable, which is catalog-private today: it belongs in mesh.
 */
export function lowestFare(
  stops: readonly StopRecord[],
  fares: readonly Fare[],
  from: number,
  to: number,
): bigint | undefined {
  const byStretch = new Map<string, bigint>();
  for (const fare of fares) {
    byStretch.set(stretchKey(fare.boardingStopId, fare.alightingStopId, fare.seatClass), fare.price?.amountMinor ?? 0n);
  }
  const fareOf = (a: number, b: number, seatClass: string) => {
    const [boarding, alighting] = [stops[a]?.id ?? "", stops[b]?.id ?? ""];
    return (
      byStretch.get(stretchKey(boarding, alighting, seatClass)) ?? byStretch.get(stretchKey(boarding, alighting, ""))
    );
  };
  let lowest: bigint | undefined;
  for (const seatClass of new Set(["", ...fares.map((fare) => fare.seatClass)])) {
    let price = fareOf(from, to, seatClass);
    if (price === undefined) {
      let total: bigint | undefined = 0n;
      for (let leg = from; leg < to && total !== undefined; leg++) {
        const fare = fareOf(leg, leg + 1, seatClass);
        total = fare === undefined ? undefined : total + fare;
      }
      price = total;
    }
    if (price !== undefined && (lowest === undefined || price < lowest)) lowest = price;
  }
  return lowest;
}

function stretchKey(boarding: string, alighting: string, seatClass: string): string {
  return JSON.stringify([boarding, alighting, seatClass]);
}
