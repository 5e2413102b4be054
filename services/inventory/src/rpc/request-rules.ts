import type { Checker } from "@marquee/mesh";
import { eventOfHoldId } from "../domain/holds.js";

/**
 * Rules several inventory requests share. The per-user cap (at most 100, catalog's bound) limits every
 * real hold; `mostSeatsPerRequest` only keeps absurd requests from reaching the store.
 */

/** More seats or places than any event's cap allows; above it a request is malformed, not over quota. */
export const mostSeatsPerRequest = 1000;

/**
 * A hold id is required and must be one as holds are given (`<event id>.<uuid>`, both canonical lower-case
 * UUIDs): anything else is INVALID_ARGUMENT naming `hold_id`, before its event part names any key. A
 * well-formed id no hold has is NOT_FOUND, like any unknown resource. Returns whether it passed.
 */
export function checkHoldId(check: Checker, holdId: string): boolean {
  return (
    check.required("hold_id", holdId) &&
    check.that(
      "hold_id",
      eventOfHoldId(holdId) !== undefined,
      "must be a hold id as Hold.id gives it: <event id>.<uuid>, in canonical lower-case form",
    )
  );
}
