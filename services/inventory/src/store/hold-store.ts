import type { LegRange } from "@marquee/mesh";
import type { Cluster, Redis } from "ioredis";
import {
  type HoldChange,
  type HoldOutcome,
  type HoldPolicy,
  type HoldRecord,
  type HoldStateName,
  newHoldId,
  type PlaceRequest,
  type SeatConflict,
} from "../domain/holds.js";
import { legMask, legsOfMask, type SeatWidth, seatWidthOf } from "../domain/legs.js";
import type { RowRun } from "../domain/row-run.js";
import { seatWidthIn } from "./availability-reader.js";
import { HoldScripts } from "./hold-scripts.js";
import { heldKey, holdKey, metaKey, orderKey, scriptKeys, soldKey } from "./keys.js";

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
  /** General-admission places to hold with the seats; the script picks free slots of each run. */
  readonly places?: readonly PlaceRequest[];
  /** Defaults to a new id naming the event (`newHoldId`). */
  readonly holdId?: string;
}

/** A best-available request: `quantity` seats, adjacent in one row when possible, nearest the front. */
export interface BestAvailableRequest extends Omit<HoldRequest, "seatIndexes" | "places"> {
  readonly quantity: number;
  readonly requireAdjacent: boolean;
  /**
   * Where to look, best first: runs of consecutive seats of one row (a section, a class, a tier, the
   * places of a general-admission section); omitted means every row of the map, front row first.
   */
  readonly withinRuns?: readonly RowRun[];
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

/**
 * Per-leg seat state: `width` bytes per seat index (little-endian, bit i = leg i), for held and for sold.
 * `legMaskAt` (domain/availability.ts) reads one seat's mask.
 */
export interface SeatStates {
  readonly held: Buffer;
  readonly sold: Buffer;
  readonly width: SeatWidth;
}

type Reply = (string | number)[];

/**
 * The inventory hot path over Redis: each method is one atomic Lua script on one event's keys. Failures
 * come back as data (see `domain/holds.ts`); only Redis errors throw.
 */
export class HoldStore {
  private readonly scripts: HoldScripts;

  constructor(private readonly redis: Redis | Cluster) {
    this.scripts = new HoldScripts(redis);
  }

  /** Loads the scripts into Redis; calls also work before it, loading on first NOSCRIPT. */
  async init(): Promise<void> {
    await this.scripts.load();
  }

  /**
   * Initialises an event's seat state for `seatCount` seats and `legCount` legs with its rows, front row
   * first, marking `sold` (the ledger's rows) sold in the same atomic step. The seats take the narrowest
   * width that holds the legs (`seatWidthOf`), kept with the event for every script and reader. Repeating
   * it with the same shape keeps holds and sales and ignores `sold` ("kept"); a new shape, or an event the
   * store lost, starts from `sold` alone ("loaded"). `closed` closes the event's sales in the same step
   * (see `closeSales`); an event closed before stays closed either way.
   */
  async loadEvent(
    eventId: string,
    seatCount: number,
    legCount: number,
    rows: readonly RowRun[],
    sold: readonly SoldSeatLeg[] = [],
    closed = false,
  ): Promise<"loaded" | "kept"> {
    if (!Number.isInteger(seatCount) || seatCount < 1) throw new RangeError("an event needs at least one seat");
    const width = seatWidthOf(legCount);
    const runs = runValues(rows);
    const reply = (await this.scripts.run("load", scriptKeys(eventId), [
      seatCount,
      legCount,
      width,
      closed ? 1 : 0,
      runs.length,
      ...runs,
      ...soldQuadruples(sold),
    ])) as Reply;
    if (reply[0] === "BAD_SEAT") throw new RangeError(`the ledger names seat ${reply[1]}, outside ${eventId}'s map`);
    return reply[0] === "KEPT" ? "kept" : "loaded";
  }

  /** Rebuilds sold state from the ledger after Redis lost it; every live hold is dropped. */
  async rebuild(eventId: string, soldSeatLegs: readonly SoldSeatLeg[]): Promise<{ readonly soldSeatLegs: number }> {
    const reply = (await this.scripts.run("rebuild", scriptKeys(eventId), soldQuadruples(soldSeatLegs))) as Reply;
    if (reply[0] !== "OK") throw new Error(`rebuild of ${eventId} failed: ${reply.join(" ")}`);
    return { soldSeatLegs: soldSeatLegs.length };
  }

  /**
   * Closes an event's sales for good: from this script on, hold, best-available, extend and commit refuse
   * it (`sales-closed`), and it releases up to `batch` live holds. Returns the holds released and how many
   * live ones are left, for the caller to repeat until none are. An event not loaded gets the closure
   * alone, which a later load keeps.
   */
  async closeSales(eventId: string, batch = 500): Promise<{ readonly released: number; readonly left: number }> {
    const reply = (await this.scripts.run("close", scriptKeys(eventId), [batch])) as Reply;
    if (reply[0] !== "OK") throw new Error(`closing ${eventId} failed: ${reply.join(" ")}`);
    return { released: Number(reply[1]), left: Number(reply[2]) };
  }

  /** Whether an event's sales are closed in this store. */
  async isClosed(eventId: string): Promise<boolean> {
    return (await this.redis.hexists(metaKey(eventId), "closed")) === 1;
  }

  /** Holds the named seats for the ride's legs, all or nothing. */
  async hold(request: HoldRequest): Promise<HoldOutcome> {
    const { eventId, userId, seatIndexes, legs, policy, places = [] } = request;
    const mask = legMask(legs.fromLeg, legs.toLeg);
    const holdId = request.holdId ?? newHoldId(eventId);
    const reply = (await this.scripts.run("hold", scriptKeys(eventId, holdKey(eventId, holdId)), [
      holdId,
      userId,
      seatIndexes.join(","),
      mask,
      policy.maxSeatsPerUser,
      policy.holdTtlMs,
      policy.extensions,
      places.flatMap((place) => [place.run.firstSeatIndex, place.run.seatCount, place.quantity]).join(","),
    ])) as Reply;
    const requested = seatIndexes.length + places.reduce((sum, place) => sum + place.quantity, 0);
    if (reply[0] === "NO_PLACES") {
      const place = places[Number(reply[1])];
      return { kind: "no-places-free", sectionId: place?.sectionId ?? "", quantity: place?.quantity ?? 0 };
    }
    return holdOutcome(eventId, userId, mask, requested, policy.extensions, reply);
  }

  /** Picks `quantity` free seats inside the script, adjacent in the front-most row that has them, and holds them. */
  async holdBestAvailable(request: BestAvailableRequest): Promise<HoldOutcome> {
    const { eventId, userId, legs, policy } = request;
    const mask = legMask(legs.fromLeg, legs.toLeg);
    const holdId = request.holdId ?? newHoldId(eventId);
    const reply = (await this.scripts.run("best-available", scriptKeys(eventId, holdKey(eventId, holdId)), [
      holdId,
      userId,
      request.quantity,
      mask,
      policy.maxSeatsPerUser,
      policy.holdTtlMs,
      policy.extensions,
      request.requireAdjacent ? 1 : 0,
      runValues(request.withinRuns ?? []).join(","),
    ])) as Reply;
    return holdOutcome(eventId, userId, mask, request.quantity, policy.extensions, reply);
  }

  /** Reads a hold; settled holds are kept a day. */
  async getHold(eventId: string, holdId: string): Promise<HoldRecord | undefined> {
    const v = await this.redis.hmget(
      holdKey(eventId, holdId),
      "user",
      "seats",
      "mask",
      "state",
      "expiresAtMs",
      "extensionsLeft",
      "orderId",
      "createdAtMs",
    );
    if (v[0] === null) return undefined;
    return recordOf(eventId, ["", holdId, ...v.map((x) => x ?? "")]);
  }

  /**
   * An order's seats as Redis keeps them: slot → leg mask still sold (0 once released for a refund, so a
   * retry is told apart from a seat the order never had); undefined for an order this event never sold.
   */
  async orderSeats(eventId: string, orderId: string): Promise<Map<number, number> | undefined> {
    const fields = await this.redis.hgetall(orderKey(eventId, orderId));
    if (fields.user === undefined) return undefined;
    const seats = new Map<number, number>();
    for (const [field, mask] of Object.entries(fields)) if (field !== "user") seats.set(Number(field), Number(mask));
    return seats;
  }

  /** Adds one hold duration to a live hold of `userId` with extensions left. */
  async extend(eventId: string, holdId: string, userId: string, holdTtlMs: number): Promise<HoldChange> {
    return changeOf(
      eventId,
      (await this.scripts.run("extend", scriptKeys(eventId, holdKey(eventId, holdId)), [
        holdId,
        userId,
        holdTtlMs,
      ])) as Reply,
    );
  }

  /** Releases a hold; `userId` empty for an internal caller. Released or expired holds answer ok unchanged. */
  async release(eventId: string, holdId: string, userId: string): Promise<HoldChange> {
    return changeOf(
      eventId,
      (await this.scripts.run("release", scriptKeys(eventId, holdKey(eventId, holdId)), [holdId, userId])) as Reply,
    );
  }

  /** Marks a live hold's seats sold for `orderId`; idempotent for the same order. */
  async commit(eventId: string, holdId: string, orderId: string): Promise<HoldChange> {
    return changeOf(
      eventId,
      (await this.scripts.run("commit", scriptKeys(eventId, holdKey(eventId, holdId), orderKey(eventId, orderId)), [
        holdId,
        orderId,
      ])) as Reply,
    );
  }

  /** Returns an order's sold seats (all, or those named) to sale; already released seats are skipped. */
  async releaseSold(
    eventId: string,
    orderId: string,
    seatIndexes: readonly number[] = [],
  ): Promise<ReleaseSoldOutcome> {
    const reply = (await this.scripts.run("release-sold", scriptKeys(eventId, orderKey(eventId, orderId)), [
      orderId,
      seatIndexes.join(","),
    ])) as Reply;
    if (reply[0] === "NOT_FOUND") return { kind: "not-found" };
    if (reply[0] === "NOT_IN_ORDER") return { kind: "not-in-order", seatIndex: Number(reply[1]) };
    const released: { seatIndex: number; legMask: number }[] = [];
    for (let i = 1; i < reply.length; i += 2)
      released.push({ seatIndex: Number(reply[i]), legMask: Number(reply[i + 1]) });
    return { kind: "ok", released };
  }

  /** Expires up to `limit` lapsed holds of an event and returns them; safe to run in several replicas at once. */
  async sweep(eventId: string, limit = 100): Promise<ExpiredHold[]> {
    const reply = (await this.scripts.run("sweep", scriptKeys(eventId), [limit])) as [string, string, string, number][];
    return reply.map(([holdId, userId, seats, mask]) => ({
      holdId,
      userId,
      seatIndexes: seatsOf(seats),
      legMask: Number(mask),
    }));
  }

  /** The raw per-leg state of every seat, with the event's seat width. */
  async seatStates(eventId: string): Promise<SeatStates> {
    const [held, sold, width] = await Promise.all([
      this.redis.getBuffer(heldKey(eventId)),
      this.redis.getBuffer(soldKey(eventId)),
      this.redis.hget(metaKey(eventId), "width"),
    ]);
    return { held: held ?? Buffer.alloc(0), sold: sold ?? Buffer.alloc(0), width: seatWidthIn(width) };
  }
}

/** Row runs as the flat (first index, length) values the scripts take. */
function runValues(rows: readonly RowRun[]): number[] {
  return rows.flatMap((row) => [row.firstSeatIndex, row.seatCount]);
}

/** Ledger rows merged per (seat, order) into the (seat, leg mask, order, user) quadruples the scripts take. */
function soldQuadruples(rows: readonly SoldSeatLeg[]): (string | number)[] {
  const merged = new Map<string, { seatIndex: number; mask: number; orderId: string; userId: string }>();
  for (const row of rows) {
    const key = `${row.seatIndex}\u0000${row.orderId}`;
    const entry = merged.get(key) ?? { seatIndex: row.seatIndex, mask: 0, orderId: row.orderId, userId: row.userId };
    // `>>> 0` keeps the mask unsigned: `|` alone turns leg 31 into a negative number.
    entry.mask = (entry.mask | legMask(row.leg, row.leg + 1)) >>> 0;
    merged.set(key, entry);
  }
  return [...merged.values()].flatMap((e) => [e.seatIndex, e.mask, e.orderId, e.userId]);
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
    createdAtMs: Number(r[9] ?? 0),
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
          createdAtMs: Number(r[4]),
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
      return {
        kind: "cap-exceeded",
        heldSeats: Number(r[1]),
        soldSeats: Number(r[2]),
        cap: Number(r[3]),
        requested,
        leg: Number(r[4]),
      };
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
    case "CLOSED":
      return { kind: "sales-closed" };
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
    case "CLOSED":
      return { kind: "sales-closed", hold: recordOf(eventId, r) };
    default:
      throw new Error(`unexpected hold reply ${r.join(" ")}`);
  }
}

export type { RowRun };
