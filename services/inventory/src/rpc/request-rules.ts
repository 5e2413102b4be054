import type { Checker } from "@marquee/mesh";
import type { Ride } from "@marquee/proto/marquee/api/v1/ride_pb.js";

/**
 * Rules several inventory requests share. The per-user cap (at most 100, catalog's bound) limits every
 * real hold; `mostSeatsPerRequest` only keeps absurd requests from reaching the store.
 */

/** More seats or places than any event's cap allows; above it a request is malformed, not over quota. */
export const mostSeatsPerRequest = 1000;

/** A ride names both stops or neither; which stops exist is the event's to say. */
export function checkRide(check: Checker, ride: Ride | undefined): void {
  if (ride === undefined) return;
  const boarding = ride.boardingStopId.trim() !== "";
  const alighting = ride.alightingStopId.trim() !== "";
  if (boarding === alighting) return;
  check.that(
    boarding ? "ride.alighting_stop_id" : "ride.boarding_stop_id",
    false,
    "a ride names both stops, or is omitted",
  );
}

/** A hold id is required; an id no hold has is NOT_FOUND, like any unknown resource. */
export function checkHoldId(check: Checker, holdId: string): void {
  check.required("hold_id", holdId);
}
