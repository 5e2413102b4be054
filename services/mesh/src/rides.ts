import type { Ride } from "@marquee/proto/marquee/api/v1/ride_pb.js";
import type { FieldViolation } from "./errors.js";
import type { Checker } from "./validate.js";

/**
 * Rides as every service resolves them (DESIGN "Contract decisions": one Event resource, an optional
 * `marquee.api.v1.Ride`). A trip's stops are ordered and leg i runs from stop i to stop i+1, so a coach
 * with five stops has four legs; an event has no stops and one leg, leg 0. An omitted Ride is the whole
 * route (an event's only leg); a present Ride names both stops, or it is malformed. Catalog prices and
 * inventory sells by these rules, so a ride one service accepts the other does too.
 */

/**
 * Most legs a trip may have, so most stops are `MAX_LEGS + 1`. Inventory keeps a seat's state as a bit per
 * leg in at most 32 bits (DESIGN "The hot path": rail lines have 20–40 stops); catalog refuses a longer
 * route when the trip is created or updated, so nothing is published that cannot be sold.
 */
export const MAX_LEGS = 32;

/** A half-open range of legs, [fromLeg, toLeg): what a ride covers. */
export interface LegRange {
  readonly fromLeg: number;
  readonly toLeg: number;
}

/** The two stops of a ride, as `marquee.api.v1.Ride` carries them (a Ride message is one). */
export type RideStops = Pick<Ride, "boardingStopId" | "alightingStopId">;

/** The number of legs of an event (no stops: one leg) or a trip (its stops in route order: one fewer). */
export function legCountOf(stopIds: readonly string[]): number {
  return Math.max(1, stopIds.length - 1);
}

/**
 * The request check of a ride, for a request's validator (`defineValidator`): an omitted ride passes, a
 * present one must name both stops. Which stops exist is the event's to say, in `legsOfRide`. `path` is
 * the ride's field path, `ride` in every request that has one today. Returns whether the ride passed.
 */
export function checkRide(check: Checker, ride: RideStops | undefined, path = "ride"): boolean {
  const violations = shapeViolations(ride, path);
  for (const violation of violations) check.that(violation.field, false, violation.description);
  return violations.length === 0;
}

/**
 * The legs a ride covers on an event or trip with these stops (in route order; none for an event), or the
 * BadRequest field violations naming what is wrong with it: a stop left empty (`<path>.boarding_stop_id`,
 * `<path>.alighting_stop_id`), a ride on an event (`<path>`), a stop not on the route, alighting not after
 * boarding. An omitted ride is the whole route. The empty stops are checked first, exactly as `checkRide`
 * does, so a request gets the same answer whether or not its validator ran.
 */
export function legsOfRide(
  stopIds: readonly string[],
  ride: RideStops | undefined,
  path = "ride",
): LegRange | FieldViolation[] {
  if (ride === undefined) return { fromLeg: 0, toLeg: legCountOf(stopIds) };
  const malformed = shapeViolations(ride, path);
  if (malformed.length > 0) return malformed;
  if (stopIds.length === 0) return [{ field: path, description: "an event has no stops; omit the ride" }];
  const from = stopIds.indexOf(ride.boardingStopId);
  const to = stopIds.indexOf(ride.alightingStopId);
  const violations: FieldViolation[] = [];
  if (from < 0) violations.push({ field: `${path}.boarding_stop_id`, description: "is not a stop of the trip" });
  if (to < 0) violations.push({ field: `${path}.alighting_stop_id`, description: "is not a stop of the trip" });
  else if (from >= 0 && to <= from) {
    violations.push({ field: `${path}.alighting_stop_id`, description: "must come after the boarding stop" });
  }
  return violations.length > 0 ? violations : { fromLeg: from, toLeg: to };
}

/**
 * `legsOfRide` for a handler that gathers every bad field of a request on one Checker before it answers:
 * the legs, or undefined with the ride's violations recorded on `check`.
 */
export function resolveRide(
  check: Checker,
  stopIds: readonly string[],
  ride: RideStops | undefined,
  path = "ride",
): LegRange | undefined {
  const legs = legsOfRide(stopIds, ride, path);
  if (isLegRange(legs)) return legs;
  for (const violation of legs) check.that(violation.field, false, violation.description);
  return undefined;
}

/** Whether `legsOfRide` resolved the ride (rather than refusing it). */
export function isLegRange(value: LegRange | readonly FieldViolation[]): value is LegRange {
  return !Array.isArray(value);
}

/**
 * The ride of a leg range as the API shows it (its boarding and alighting stops), or undefined for an
 * event, whose ride is always omitted.
 */
export function rideOfLegs(stopIds: readonly string[], legs: LegRange): RideStops | undefined {
  if (stopIds.length === 0) return undefined;
  return { boardingStopId: stopIds[legs.fromLeg] ?? "", alightingStopId: stopIds[legs.toLeg] ?? "" };
}

/** A present ride with a blank stop: one violation per blank stop. */
function shapeViolations(ride: RideStops | undefined, path: string): FieldViolation[] {
  if (ride === undefined) return [];
  const violations: FieldViolation[] = [];
  const description = "is required: a ride names both stops, or is omitted for the whole route";
  if (ride.boardingStopId.trim() === "") violations.push({ field: `${path}.boarding_stop_id`, description });
  if (ride.alightingStopId.trim() === "") violations.push({ field: `${path}.alighting_stop_id`, description });
  return violations;
}
