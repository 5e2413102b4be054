import { badRequest, isLegRange, type LegRange, legsOfRide, rideOfLegs as rideOfStops } from "@marquee/mesh";
import type { Ride } from "@marquee/proto/marquee/api/v1/ride_pb.js";
import type { Seating } from "../domain/seating.js";

/**
 * The legs a request's ride covers on an event, by mesh's rules (`legsOfRide`, the same catalog prices
 * by), or INVALID_ARGUMENT naming each ride field at fault: a stop left empty, a ride on an event, an
 * unknown stop, alighting not after boarding. An omitted ride is the whole route.
 */
export function legsOfRequest(seating: Seating, ride: Ride | undefined): LegRange {
  const legs = legsOfRide(seating.stopIds, ride);
  if (!isLegRange(legs)) throw badRequest(legs);
  return legs;
}

/** The ride of a leg range as the API shows it: its boarding and alighting stops; none for an event. */
export function rideOfLegs(
  seating: Seating,
  legs: LegRange,
): { boardingStopId: string; alightingStopId: string } | undefined {
  if (!seating.isTrip) return undefined;
  return rideOfStops(seating.stopIds, legs);
}

/** The name of a leg for people and error subjects: `dhaka-faridpur`, or `event` for an event's only leg. */
export function legName(seating: Seating, leg: number): string {
  if (!seating.isTrip) return "event";
  return `${seating.stopIds[leg] ?? "?"}-${seating.stopIds[leg + 1] ?? "?"}`;
}
