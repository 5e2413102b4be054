import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { HoldChange, HoldOutcome, HoldPolicy, HoldRecord, HoldStateName, SeatConflict } from "../domain/holds.js";
import { type LegRange, legMask, legsOfMask } from "../domain/legs.js";
import { HoldScripts } from "./hold-scripts.js";
import { eventTag, heldKey, metaKey, soldKey } from "./keys.js";

/** A row of the seat map as a run of consecutive seat indexes, for best-available adjacency. */
export interface RowRun {
  readonly firstSeatIndex: number;
  readonly seatCount: number;
}

/** One row of the sold-seat ledger: a seat sold on one leg to an order. */
export interface SoldSeatLeg {
  readonly seatIndex: number;
  readonly leg: number;
  readonly orderId: string;
  readonly userId: string;
}

/** A hold request for named seats. */
export interface HoldRequest {
  readonly eventId: string;
  readonly userId: string;
  readonly seatIndexes: readonly number[];
  readonly legs: LegRange;
  readonly policy: HoldPolicy;
  /** Defaults to a new UUID. */
  readonly holdId?: string;
}

/** A best-available request: `quantity` seats, adjacent in one row when possible, nearest the front. */
export interface BestAvailableRequest extends Omit<HoldRequest, "seatIndexes"> {
  readonly quantity: number;
  readonly requireAdjacent: boolean;
  /** Only these seats (a section, a class, a tier); omitted means any. */
  readonly withinSeatIndexes?: readonly number[];
}

/** What the sweeper released. */
export interface ExpiredHold {
  readonly holdId: string;
  readonly userId: string;
  readonly seatIndexes: readonly number[];
  readonly legMask: number;
}

/** The outcome of releasing sold seats for a refund. */
export type ReleaseSoldOutcome =
  | { readonly kind: "ok"; readonly released: readonly { readonly seatIndex: number; readonly legMask: number }[] }
  | { readonly kind: "not-found" }
  | { readonly kind: "not-in-order"; readonly seatIndex: number };

/** Per-leg seat state: one byte per seat index, bit i = leg i, for held and for sold. */
export interface SeatStates {
  readonly held: Buffer;
  readonly sold: Buffer;
}

type Reply = (string | number)[];

/**
 * The inventory hot path over Redis: each method is one atomic Lua script on one event's keys. Failures
 * come back as data (see `domain/holds.ts`); only Redis errors throw.
 */
export class HoldStore {
  private readonly scripts: HoldScripts;

  constructor(private readonly redis: Redis) {
    this.scripts = new HoldScripts(redis);
  }

  /** Loads the scripts into Redis; calls also work before it, loading on first NOSCRIPT. */
  async init(): Promise<void> {
    await this.scripts.load();
  }

  /**
   * Initialises an event's seat state for `seatCount` seats and `legCount` legs with its rows, front row
   * first. Repeating it with the same shape keeps holds and sales ("kept"); a new shape starts empty.
   */
  async loadEvent(
    eventId: string,
    seatCount: number,
    legCount: number,
    rows: readonly RowRun[],
  ): Promise<"loaded" | "kept"> {
    if (!Number.isInteger(seatCount) || seatCount < 1) throw new RangeError("an event needs at least one seat");
    legMask(0, legCount);
    const runs = rows.flatMap((row) => [row.firstSeatIndex, row.seatCount]);
    const reply = await this.scripts.run("load", metaKey(eventId), [seatCount, legCount, ...runs]);
    return reply === "KEPT" ? "kept" : "loaded";
  }

  /** Rebuilds sold state from the ledger after Redis lost it; every live hold is dropped. */
  async rebuild(eventId: string, soldSeatLegs: readonly SoldSeatLeg[]): Promise<{ readonly soldSeatLegs: number }> {
    const merged = new Map<string, { seatIndex: number; mask: number; orderId: string; userId: string }>();
    for (const row of soldSeatLegs) {
      const key = `${row.seatIndex}\u0000${row.orderId}`;
      const entry = merged.get(key) ?? { seatIndex: row.seatIndex, mask: 0, orderId: row.orderId, userId: row.userId };
      entry.mask |= legMask(row.leg, row.leg + 1);
      merged.set(key, entry);
    }
    const args = [...merged.values()].flatMap((e) => [e.seatIndex, e.mask, e.orderId, e.userId]);
    const reply = (await this.scripts.run("rebuild", metaKey(eventId), args)) as Reply;
    if (reply[0] !== "OK") throw new Error(`rebuild of ${eventId} failed: ${reply.join(" ")}`);
    return { soldSeatLegs: soldSeatLegs.length };
  }

  /** Holds the named seats for the ride's legs, all or nothing. */
  async hold(request: HoldRequest): Promise<HoldOutcome> {
    const { eventId, userId, seatIndexes, legs, policy } = request;
    const mask = legMask(legs.fromLeg, legs.toLeg);
    const reply = (await this.scripts.run("hold", metaKey(eventId), [
      request.holdId ?? randomUUID(),
      userId,
      seatIndexes.join(","),
      mask,
      policy.maxSeatsPerUser,
      policy.holdTtlMs,
      policy.extensions,
    ])) as Reply;
    return holdOutcome(eventId, userId, mask, seatIndexes.length, policy.extensions, reply);
  }

  /** Picks `quantity` free seats inside the script, adjacent in the front-most row that has them, and holds them. */
  async holdBestAvailable(request: BestAvailableRequest): Promise<HoldOutcome> {
    const { eventId, userId, legs, policy } = request;
    const mask = legMask(legs.fromLeg, legs.toLeg);
    const reply = (await this.scripts.run("best-available", metaKey(eventId), [
      request.holdId ?? randomUUID(),
      userId,
      request.quantity,
      mask,
      policy.maxSeatsPerUser,
      policy.holdTtlMs,
      policy.extensions,
      request.requireAdjacent ? 1 : 0,
      (request.withinSeatIndexes ?? []).join(","),
    ])) as Reply;
    return holdOutcome(eventId, userId, mask, request.quantity, policy.extensions, reply);
  }

  /** Reads a hold; settled holds are kept a day. */
  async getHold(eventId: string, holdId: string): Promise<HoldRecord | undefined> {
    const v = await this.redis.hmget(
      `${eventTag(eventId)}:hold:${holdId}`,
      "user",
      "seats",
      "mask",
      "state",
      "expiresAtMs",
      "extensionsLeft",
      "orderId",
    );
    if (v[0] === null) return undefined;
    return recordOf(eventId, ["", holdId, ...v.map((x) => x ?? "")]);
  }

  /** Adds one hold duration to a live hold of `userId` with extensions left. */
  async extend(eventId: string, holdId: string, userId: string, holdTtlMs: number): Promise<HoldChange> {
    return changeOf(
      eventId,
      (await this.scripts.run("extend", metaKey(eventId), [holdId, userId, holdTtlMs])) as Reply,
    );
  }

  /** Releases a hold; `userId` empty for an internal caller. Released or expired holds answer ok unchanged. */
  async release(eventId: string, holdId: string, userId: string): Promise<HoldChange> {
    return changeOf(eventId, (await this.scripts.run("release", metaKey(eventId), [holdId, userId])) as Reply);
  }

  /** Marks a live hold's seats sold for `orderId`; idempotent for the same order. */
  async commit(eventId: string, holdId: string, orderId: string): Promise<HoldChange> {
    return changeOf(eventId, (await this.scripts.run("commit", metaKey(eventId), [holdId, orderId])) as Reply);
  }

  /** Returns an order's sold seats (all, or those named) to sale; already released seats are skipped. */
  async releaseSold(
    eventId: string,
    orderId: string,
    seatIndexes: readonly number[] = [],
  ): Promise<ReleaseSoldOutcome> {
    const reply = (await this.scripts.run("release-sold", metaKey(eventId), [orderId, seatIndexes.join(",")])) as Reply;
    if (reply[0] === "NOT_FOUND") return { kind: "not-found" };
    if (reply[0] === "NOT_IN_ORDER") return { kind: "not-in-order", seatIndex: Number(reply[1]) };
    const released: { seatIndex: number; legMask: number }[] = [];
    for (let i = 1; i < reply.length; i += 2)
      released.push({ seatIndex: Number(reply[i]), legMask: Number(reply[i + 1]) });
    return { kind: "ok", released };
  }

  /** Expires up to `limit` lapsed holds of an event and returns them; safe to run in several replicas at once. */
  async sweep(eventId: string, limit = 100): Promise<ExpiredHold[]> {
    const reply = (await this.scripts.run("sweep", metaKey(eventId), [limit])) as [string, string, string, number][];
    return reply.map(([holdId, userId, seats, mask]) => ({
      holdId,
      userId,
      seatIndexes: seatsOf(seats),
      legMask: Number(mask),
    }));
  }

  /** The raw per-leg state of every seat. */
  async seatStates(eventId: string): Promise<SeatStates> {
    const [held, sold] = await Promise.all([
      this.redis.getBuffer(heldKey(eventId)),
      this.redis.getBuffer(soldKey(eventId)),
    ]);
    return { held: held ?? Buffer.alloc(0), sold: sold ?? Buffer.alloc(0) };
  }
}

function seatsOf(csv: string | number): number[] {
  return String(csv) === "" ? [] : String(csv).split(",").map(Number);
}

function recordOf(eventId: string, r: Reply): HoldRecord {
  return {
    id: String(r[1]),
    eventId,
    userId: String(r[2]),
    seatIndexes: seatsOf(r[3] ?? ""),
    legMask: Number(r[4]),
    state: String(r[5]) as HoldStateName,
    expiresAtMs: Number(r[6]),
    extensionsLeft: Number(r[7]),
    orderId: String(r[8] ?? ""),
  };
}

function holdOutcome(
  eventId: string,
  userId: string,
  mask: number,
  requested: number,
  extensions: number,
  r: Reply,
): HoldOutcome {
  switch (r[0]) {
    case "OK":
      return {
        kind: "held",
        hold: {
          id: String(r[1]),
          eventId,
          userId,
          seatIndexes: seatsOf(r[3] ?? ""),
          legMask: mask,
          state: "active",
          expiresAtMs: Number(r[2]),
          extensionsLeft: extensions,
          orderId: "",
        },
      };
    case "TAKEN": {
      const conflicts: SeatConflict[] = [];
      for (let i = 1; i < r.length; i += 3) {
        conflicts.push({
          seatIndex: Number(r[i]),
          heldLegs: legsOfMask(Number(r[i + 1])),
          soldLegs: legsOfMask(Number(r[i + 2])),
        });
      }
      return { kind: "taken", conflicts };
    }
    case "CAP":
      return { kind: "cap-exceeded", heldSeats: Number(r[1]), soldSeats: Number(r[2]), cap: Number(r[3]), requested };
    case "BAD_SEAT":
      return { kind: "bad-seat", seatIndex: Number(r[1]) };
    case "BAD_LEGS":
      return { kind: "bad-legs", legCount: Number(r[1]) };
    case "NONE":
      return { kind: "no-seats-free" };
    case "NOT_LOADED":
      return { kind: "not-loaded" };
    case "DUPLICATE_HOLD":
      return { kind: "duplicate-hold" };
    default:
      throw new Error(`unexpected hold reply ${r.join(" ")}`);
  }
}

function changeOf(eventId: string, r: Reply): HoldChange {
  switch (r[0]) {
    case "NOT_FOUND":
      return { kind: "not-found" };
    case "OK":
      return { kind: "ok", hold: recordOf(eventId, r) };
    case "NOT_LIVE":
      return { kind: "not-live", hold: recordOf(eventId, r) };
    case "NO_EXTENSIONS":
      return { kind: "no-extensions-left", hold: recordOf(eventId, r) };
    case "COMMITTED":
      return { kind: "committed", hold: recordOf(eventId, r) };
    case "OTHER_ORDER":
      return { kind: "other-order", hold: recordOf(eventId, r) };
    default:
      throw new Error(`unexpected hold reply ${r.join(" ")}`);
  }
}
