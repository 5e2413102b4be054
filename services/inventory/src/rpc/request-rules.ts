import type { Checker } from "@marquee/mesh";

/**
 * Rules several inventory requests share. The per-user cap (at most 100, catalog's bound) limits every
 * real hold; `mostSeatsPerRequest` only keeps absurd requests from reaching the store.
 */

/** More seats or places than any event's cap allows; above it a request is malformed, not over quota. */
export const mostSeatsPerRequest = 1000;

/** A hold id is required; an id no hold has is NOT_FOUND, like any unknown resource. */
export function checkHoldId(check: Checker, holdId: string): void {
  check.required("hold_id", holdId);
}
