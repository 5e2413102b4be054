/**
 * Holds and the outcomes of the hold scripts, as data. The RPC layer maps each failure onto the
 * status table of DESIGN "Contract decisions"; nothing here does I/O.
 */

import { randomUUID } from "node:crypto";
import { isCanonicalUuid } from "@marquee/mesh";
import type { RowRun } from "./row-run.js";

/** Where a hold is in its life. */
export type HoldStateName = "active" | "committed" | "released" | "expired";

/** A hold as the store keeps it. Seats are dense seat indexes of the event's frozen map. */
export interface HoldRecord {
  readonly id: string;
  readonly eventId: string;
  readonly userId: string;
  readonly seatIndexes: readonly number[];
  readonly legMask: number;
  readonly state: HoldStateName;
  readonly expiresAtMs: number;
  readonly extensionsLeft: number;
  /** Empty until committed. */
  readonly orderId: string;
  /** When the hold was made; 0 when the store's reply does not carry it. */
  readonly createdAtMs: number;
}

/**
 * Places of a general-admission section to hold: `quantity` free slots of its run, chosen by the hold
 * script in the same atomic step as the named seats.
 */
export interface PlaceRequest {
  readonly sectionId: string;
  readonly run: RowRun;
  readonly quantity: number;
}

/** One seat of a refused hold: the requested legs already held or sold on it. */
export interface SeatConflict {
  readonly seatIndex: number;
  readonly heldLegs: readonly number[];
  readonly soldLegs: readonly number[];
}

/** A failed hold attempt. `taken` → FAILED_PRECONDITION, `cap-exceeded` → RESOURCE_EXHAUSTED. */
export type HoldFailure =
  | { readonly kind: "taken"; readonly conflicts: readonly SeatConflict[] }
  | {
      /**
       * The buyer's seats on `leg`, the fullest leg of the ride asked for (held and bought there), plus
       * `requested` would pass `cap`. On an event `leg` is 0 and the counts are every seat held and bought.
       */
      readonly kind: "cap-exceeded";
      readonly heldSeats: number;
      readonly soldSeats: number;
      readonly cap: number;
      readonly requested: number;
      readonly leg: number;
    }
  | { readonly kind: "bad-seat"; readonly seatIndex: number }
  | { readonly kind: "bad-legs"; readonly legCount: number }
  | { readonly kind: "no-seats-free" }
  | { readonly kind: "no-places-free"; readonly sectionId: string; readonly quantity: number }
  | { readonly kind: "not-loaded" }
  | { readonly kind: "duplicate-hold" }
  /** The event's sales were closed (it was cancelled): FAILED_PRECONDITION. */
  | { readonly kind: "sales-closed" };

/** The outcome of hold and best-available. */
export type HoldOutcome = { readonly kind: "held"; readonly hold: HoldRecord } | HoldFailure;

/** The outcome of extend, release and commit on an existing hold. */
export type HoldChange =
  | { readonly kind: "ok"; readonly hold: HoldRecord }
  | { readonly kind: "not-found" }
  /** Expired, released (or, for extend, committed): FAILED_PRECONDITION. */
  | { readonly kind: "not-live"; readonly hold: HoldRecord }
  | { readonly kind: "no-extensions-left"; readonly hold: HoldRecord }
  /** Release of a committed hold. */
  | { readonly kind: "committed"; readonly hold: HoldRecord }
  /** Commit of a hold committed to another order. */
  | { readonly kind: "other-order"; readonly hold: HoldRecord }
  /** Extend or commit on an event whose sales were closed (it was cancelled). */
  | { readonly kind: "sales-closed"; readonly hold: HoldRecord };

/**
 * Per-user cap, hold length and extensions, from the event's hold policy. `maxSeatsPerUser` 0 = none. On a
 * trip the cap is per leg: the seats a buyer holds or bought on any one leg of the route, so a seat held on
 * two disjoint rides counts once, and a hold passes when every leg of its ride stays within the cap.
 */
export interface HoldPolicy {
  readonly maxSeatsPerUser: number;
  readonly holdTtlMs: number;
  readonly extensions: number;
}

/**
 * A new hold id: the event's id, a dot, and a random UUID. GetHold, ExtendHold and ReleaseHold name only
 * the hold, and every key of a hold lives under its event's hash tag, so the id carries the event: one
 * lookup, one Cluster slot, no global index to keep in step. `eventId` is canonical (the request rules
 * refused any other spelling), so the id is too.
 */
export function newHoldId(eventId: string): string {
  return `${eventId}.${randomUUID()}`;
}

/**
 * The event of a hold id made by `newHoldId` — two UUIDs in canonical lower-case form joined by a dot — or
 * undefined when the id is not one, in another spelling included: the event part names Redis keys, so a
 * hold id with its event in upper case must not reach the event's state under a second name.
 */
export function eventOfHoldId(holdId: string): string | undefined {
  const [eventId = "", random = "", ...rest] = holdId.split(".");
  return rest.length === 0 && isCanonicalUuid(eventId) && isCanonicalUuid(random) ? eventId : undefined;
}

/** Whether a hold request names each seat once. Duplicates are INVALID_ARGUMENT before any script runs. */
export function firstDuplicate(seatIndexes: readonly number[]): number | undefined {
  const seen = new Set<number>();
  for (const seat of seatIndexes) {
    if (seen.has(seat)) return seat;
    seen.add(seat);
  }
  return undefined;
}
