/**
 * Legs of a ride. A trip's stops are ordered; leg i runs from stop i to stop i+1, so a coach with five
 * stops has four legs. An event has no stops and one leg, leg 0. A seat's state per leg fits one byte,
 * so the store handles up to eight legs.
 */

/** Legs one seat byte can carry. */
export const MAX_LEGS = 8;

/** A half-open range of legs, [fromLeg, toLeg). */
export interface LegRange {
  readonly fromLeg: number;
  readonly toLeg: number;
}

/** Why a ride cannot be resolved to legs, as data for the RPC layer to map onto BadRequest fields. */
export interface RideError {
  readonly kind: "bad-ride";
  readonly field: "ride.boarding_stop_id" | "ride.alighting_stop_id" | "ride";
  readonly reason: string;
}

/** The number of legs of an event (no stops) or a trip (its stops in route order). */
export function legCountOf(stopIds: readonly string[]): number {
  return Math.max(1, stopIds.length - 1);
}

/**
 * The legs a ride covers. An omitted ride (both ids empty) is the whole route. A ride on an event, an
 * unknown stop, or alighting not after boarding is a RideError.
 */
export function legsOfRide(
  stopIds: readonly string[],
  boardingStopId = "",
  alightingStopId = "",
): LegRange | RideError {
  if (boardingStopId === "" && alightingStopId === "") return { fromLeg: 0, toLeg: legCountOf(stopIds) };
  if (stopIds.length === 0) return { kind: "bad-ride", field: "ride", reason: "an event has no stops" };
  const from = stopIds.indexOf(boardingStopId);
  if (from < 0) return { kind: "bad-ride", field: "ride.boarding_stop_id", reason: "not a stop of this trip" };
  const to = stopIds.indexOf(alightingStopId);
  if (to < 0) return { kind: "bad-ride", field: "ride.alighting_stop_id", reason: "not a stop of this trip" };
  if (to <= from)
    return { kind: "bad-ride", field: "ride.alighting_stop_id", reason: "must come after the boarding stop" };
  return { fromLeg: from, toLeg: to };
}

/** Whether a legs-or-error value is an error. */
export function isRideError(value: LegRange | RideError): value is RideError {
  return "kind" in value;
}

/** The bit mask of legs [fromLeg, toLeg): bit i set for leg i. Throws on a range no seat byte can hold. */
export function legMask(fromLeg: number, toLeg: number): number {
  if (!Number.isInteger(fromLeg) || !Number.isInteger(toLeg) || fromLeg < 0 || toLeg <= fromLeg || toLeg > MAX_LEGS) {
    throw new RangeError(`legs [${fromLeg}, ${toLeg}) are not a range within ${MAX_LEGS} legs`);
  }
  return (1 << toLeg) - (1 << fromLeg);
}

/** The legs set in a mask, ascending. */
export function legsOfMask(mask: number): number[] {
  const legs: number[] = [];
  for (let leg = 0; leg < MAX_LEGS; leg++) if (mask & (1 << leg)) legs.push(leg);
  return legs;
}

/** The range of a contiguous mask, as legMask made it. */
export function rangeOfMask(mask: number): LegRange {
  const legs = legsOfMask(mask);
  if (legs.length === 0) throw new RangeError("an empty leg mask has no range");
  return { fromLeg: legs[0] as number, toLeg: (legs.at(-1) as number) + 1 };
}
