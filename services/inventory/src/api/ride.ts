import { badRequest } from "@marquee/mesh";
import type { Ride } from "@marquee/proto/marquee/api/v1/ride_pb.js";
import { isRideError, type LegRange, legsOfRide } from "../domain/legs.js";
import type { Seating } from "../domain/seating.js";

/**
 * The legs a request's ride covers on an event, or INVALID_ARGUMENT naming the ride field at fault: a
 * ride on an event, an unknown stop, alighting not after boarding.
 */
export function legsOfRequest(seating: Seating, ride: Ride | undefined): LegRange {
  const legs = legsOfRide(seating.stopIds, ride?.boardingStopId, ride?.alightingStopId);
  if (isRideError(legs)) throw badRequest([{ field: legs.field, description: legs.reason }]);
  return legs;
}

/** The ride of a leg range as the API shows it: its boarding and alighting stops; none for an event. */
export function rideOfLegs(
  seating: Seating,
  legs: LegRange,
): { boardingStopId: string; alightingStopId: string } | undefined {
  if (!seating.isTrip) return undefined;
  return { boardingStopId: seating.stopIds[legs.fromLeg] ?? "", alightingStopId: seating.stopIds[legs.toLeg] ?? "" };
}

/** The name of a leg for people and error subjects: `dhaka-faridpur`, or `event` for an event's only leg. */
export function legName(seating: Seating, leg: number): string {
  if (!seating.isTrip) return "event";
  return `${seating.stopIds[leg] ?? "?"}-${seating.stopIds[leg + 1] ?? "?"}`;
}
