import {
  type ConnectError,
  failedPrecondition,
  notFound,
  type PreconditionViolation,
  quotaExceeded,
} from "@marquee/mesh";
import type { HoldChange, HoldFailure, HoldRecord, SeatConflict } from "../domain/holds.js";
import type { Seating } from "../domain/seating.js";
import { legName } from "./ride.js";

/**
 * The store's refusals as the statuses of DESIGN's error table: taken seats FAILED_PRECONDITION with a
 * PreconditionFailure naming each seat and leg, the per-user cap RESOURCE_EXHAUSTED with a QuotaFailure.
 */

/** The error of a refused hold. */
export function holdRefused(seating: Seating, userId: string, failure: HoldFailure): ConnectError {
  switch (failure.kind) {
    case "taken":
      return seatsTaken(seating, failure.conflicts);
    case "cap-exceeded":
      return capExceeded(seating, userId, failure.heldSeats + failure.soldSeats, failure.requested, failure.leg);
    case "no-seats-free":
      return failedPrecondition("not enough free seats for the request", [
        {
          type: "NOT_ENOUGH_SEATS",
          subject: `event:${seating.eventId}`,
          description: "too few seats are free for this ride and choice",
        },
      ]);
    case "no-places-free":
      return failedPrecondition("not enough free places in a general-admission section", [
        {
          type: "NOT_ENOUGH_PLACES",
          subject: `section:${failure.sectionId}`,
          description: `fewer than ${failure.quantity} places are free in the section`,
        },
      ]);
    case "not-loaded":
      return notFound("event", seating.eventId);
    case "sales-closed":
      return eventCancelled(seating.eventId);
    case "bad-seat":
    case "bad-legs":
    case "duplicate-hold":
      // The handlers validate seats and rides against the seating first, so these mean a bug.
      throw new Error(`hold on ${seating.eventId} refused as ${failure.kind}, which validation should have prevented`);
  }
}

/**
 * RESOURCE_EXHAUSTED for a user whose held and bought seats plus `requested` would pass the cap. On a trip
 * the cap holds per leg, and `leg` is the leg of the ride where it would pass (the one with most of the
 * user's seats); `already` counts the seats there. Without `leg`, one request alone asks for too many.
 */
export function capExceeded(
  seating: Seating,
  userId: string,
  already: number,
  requested: number,
  leg?: number,
): ConnectError {
  const cap = seating.policy.maxSeatsPerUser;
  const where = seating.isTrip && leg !== undefined ? ` from ${legStops(seating, leg)}` : "";
  return quotaExceeded(
    seating.isTrip
      ? `at most ${cap} seats per buyer on any leg of this trip`
      : `at most ${cap} seats per buyer for this event`,
    [
      {
        subject: `user:${userId}/event:${seating.eventId}`,
        description: `holds and orders count ${already} seats${where}; ${requested} more would pass the cap of ${cap}`,
      },
    ],
  );
}

/** FAILED_PRECONDITION naming each taken seat, and on a trip each taken leg, held or sold. */
export function seatsTaken(seating: Seating, conflicts: readonly SeatConflict[]): ConnectError {
  const violations: PreconditionViolation[] = [];
  for (const conflict of conflicts) {
    const seat = seating.describe([conflict.seatIndex]);
    const what = seat.seatIds[0] ?? `a place in ${seat.places[0]?.sectionId ?? "?"}`;
    const subject = (leg: number) => (seating.isTrip ? `seat:${what}/leg:${legName(seating, leg)}` : `seat:${what}`);
    for (const leg of conflict.soldLegs) {
      violations.push({ type: "SEAT_SOLD", subject: subject(leg), description: describe(seating, what, "sold", leg) });
    }
    for (const leg of conflict.heldLegs) {
      violations.push({ type: "SEAT_HELD", subject: subject(leg), description: describe(seating, what, "held", leg) });
    }
  }
  return failedPrecondition(`seats taken: ${violations.map((v) => v.subject).join(", ")}`, violations);
}

/** The hold after an extend, release or commit that went through; the error of one refused, thrown. */
export function changedHold(seating: Seating, holdId: string, change: HoldChange): HoldRecord {
  if (change.kind === "ok") return change.hold;
  throw changeRefused(seating, holdId, change);
}

function changeRefused(seating: Seating, holdId: string, change: Exclude<HoldChange, { kind: "ok" }>): ConnectError {
  switch (change.kind) {
    case "not-found":
      return notFound("hold", holdId);
    case "not-live":
      return failedPrecondition(`hold is ${change.hold.state === "active" ? "expired" : change.hold.state}`, [
        {
          type: "HOLD_NOT_LIVE",
          subject: `hold:${holdId}`,
          description: "the hold has expired, was released or was committed",
        },
      ]);
    case "no-extensions-left":
      return failedPrecondition("the hold has no extensions left", [
        {
          type: "NO_EXTENSIONS_LEFT",
          subject: `hold:${holdId}`,
          description: `extended ${seating.policy.extensions} times already`,
        },
      ]);
    case "committed":
      return failedPrecondition("the hold was committed to an order", [
        { type: "HOLD_COMMITTED", subject: `hold:${holdId}`, description: `sold to order ${change.hold.orderId}` },
      ]);
    case "other-order":
      return failedPrecondition("the hold was committed to another order", [
        { type: "HOLD_COMMITTED", subject: `hold:${holdId}`, description: `sold to order ${change.hold.orderId}` },
      ]);
    case "sales-closed":
      return eventCancelled(seating.eventId);
  }
}

/**
 * FAILED_PRECONDITION for any hold, extension or commit on an event whose sales are closed because it was
 * cancelled (CloseSales, or catalog's state): one PreconditionFailure of type EVENT_CANCELLED, as catalog
 * names a cancelled event, on the event's subject, as SALES_CLOSED names a closed sales window.
 */
export function eventCancelled(eventId: string): ConnectError {
  return failedPrecondition("sales are closed for this event: it was cancelled", [
    { type: "EVENT_CANCELLED", subject: `event:${eventId}`, description: "the event was cancelled" },
  ]);
}

function describe(seating: Seating, what: string, how: "held" | "sold", leg: number): string {
  if (!seating.isTrip) return `${what} is ${how}`;
  return `${what} is ${how} from ${legStops(seating, leg)}`;
}

/** A leg as people read it: `dhaka to faridpur`. */
function legStops(seating: Seating, leg: number): string {
  return `${seating.stopIds[leg] ?? "?"} to ${seating.stopIds[leg + 1] ?? "?"}`;
}
