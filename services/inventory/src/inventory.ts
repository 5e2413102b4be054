import {
  type CallContext,
  Code,
  ConnectError,
  callerIdOf,
  type Database,
  failedPrecondition,
  type Logger,
  notFound,
} from "@marquee/mesh";
import type { Cluster, Redis } from "ioredis";
import { capExceeded, eventCancelled, holdRefused } from "./api/hold-errors.js";
import { SlotState, slotStates } from "./domain/availability.js";
import { eventOfHoldId, type HoldOutcome, type HoldRecord } from "./domain/holds.js";
import { legMask } from "./domain/legs.js";
import type { Seating } from "./domain/seating.js";
import type { AvailabilityFeed } from "./feed/availability-feed.js";
import { holdOutcomes } from "./metrics.js";
import { readSeatSnapshot, type SeatSnapshot } from "./store/availability-reader.js";
import { closeInLedger, isClosedInLedger } from "./store/closed-events.js";
import type { HoldStore } from "./store/hold-store.js";
import { soldSeatLegs } from "./store/ledger.js";
import type { SeatingCache } from "./store/seating-cache.js";

/** The Redis set of every event loaded in this Redis, which the sweepers walk. Not hash-tagged: it spans events. */
export const loadedEventsKey = "inventory:events";

/**
 * What every handler and background task of the inventory works with: the hold store (Redis), the
 * ledger (PostgreSQL), the seatings (from catalog, cached) and the live availability feed.
 */
export class Inventory {
  constructor(
    readonly store: HoldStore,
    readonly redis: Redis | Cluster,
    readonly orm: Database,
    readonly seatings: SeatingCache,
    readonly feed: AvailabilityFeed,
    readonly log: Logger,
  ) {}

  /**
   * Loads an event's seats into Redis, with the ledger's sales marked sold in the same atomic step, unless
   * Redis has it already. Safe to repeat and to run in every replica at once: only the first load of a
   * missing event applies the ledger, later ones keep what Redis holds.
   */
  async load(seating: Seating): Promise<{ readonly loaded: boolean; readonly soldSeatLegs: number }> {
    const em = this.orm.em.fork();
    const sold = await soldSeatLegs(em, seating.eventId);
    // Closed when catalog says cancelled or the ledger has the closure: a store that lost the event (or
    // never had it) must not load it open.
    const closed = !seating.isOnSale || (await isClosedInLedger(em, seating.eventId));
    const outcome = await this.store.loadEvent(
      seating.eventId,
      seating.slotCount,
      seating.legCount,
      seating.rows,
      sold,
      closed,
    );
    await this.redis.sadd(loadedEventsKey, seating.eventId);
    if (outcome === "loaded") {
      this.log.info({ eventId: seating.eventId, slots: seating.slotCount, soldSeatLegs: sold.length }, "event loaded");
    }
    return { loaded: outcome === "loaded", soldSeatLegs: outcome === "loaded" ? sold.length : 0 };
  }

  /**
   * Runs a store operation on an event, loading the event first when the store answers that it does not
   * have it (never loaded in this Redis, or Redis lost its data) and trying once more.
   */
  async onLoaded<T extends { readonly kind: string }>(seating: Seating, operation: () => Promise<T>): Promise<T> {
    const first = await operation();
    if (first.kind !== "not-loaded") return first;
    await this.load(seating);
    return operation();
  }

  /**
   * Runs a hold (named seats or best available) on a loaded event and counts its outcome; the held hold,
   * or the refusal as the error of DESIGN's table.
   */
  async hold(seating: Seating, call: CallContext, attempt: () => Promise<HoldOutcome>): Promise<HoldRecord> {
    // A caller who stopped waiting (a deadline spent queueing in an on-sale burst) must not be left
    // holding seats it never heard of, counted against its cap for the hold's whole length.
    if (call.signal.aborted || call.deadlineMs <= Date.now()) {
      throw new ConnectError("the caller's deadline passed before the hold was tried", Code.DeadlineExceeded);
    }
    const userId = callerIdOf(call);
    const outcome = await this.onLoaded(seating, attempt);
    holdOutcomes.inc({ outcome: outcome.kind });
    if (outcome.kind !== "held") throw holdRefused(seating, userId, outcome);
    return outcome.hold;
  }

  /**
   * The seating of an event that is selling now; FAILED_PRECONDITION when sales are closed or cancelled.
   * A cached seating may not know of a cancellation yet: the hold scripts refuse a closed event anyway.
   */
  async sellable(eventId: string): Promise<Seating> {
    const seating = await this.seatings.get(eventId);
    if (!seating.isOnSale) throw eventCancelled(eventId);
    if (!seating.isSellingAt(Date.now())) {
      throw failedPrecondition("sales are closed for this event", [
        { type: "SALES_CLOSED", subject: `event:${eventId}`, description: "outside the sales window" },
      ]);
    }
    return seating;
  }

  /**
   * Closes an event's sales for good (CloseSales, EventCancelled): first in the ledger's database, so no
   * sale reaches the ledger after it (a sale being recorded finishes first) and a store that lost the
   * event loads it closed; then in Redis, where every hold, extension and commit checks the closure in its
   * own script, and live holds are released. Safe to repeat and to run in every replica at once; an event
   * never loaded is closed all the same. Returns the live holds released.
   */
  async closeSales(eventId: string): Promise<{ readonly releasedHolds: number }> {
    const first = await closeInLedger(this.orm.em.fork(), eventId);
    let releasedHolds = 0;
    for (;;) {
      const { released, left } = await this.store.closeSales(eventId);
      releasedHolds += released;
      if (left === 0) break;
    }
    if (first || releasedHolds > 0) this.log.info({ eventId, releasedHolds }, "sales closed");
    return { releasedHolds };
  }

  /**
   * RESOURCE_EXHAUSTED when one request alone asks for more than the cap. Holds and orders the buyer has
   * already are counted by the hold script, atomically with the hold.
   */
  checkCap(seating: Seating, userId: string, requested: number): void {
    const cap = seating.policy.maxSeatsPerUser;
    if (cap > 0 && requested > cap) throw capExceeded(seating, userId, 0, requested);
  }

  /** The event's seat bytes and stream position, loading an event Redis does not have first. */
  async snapshot(seating: Seating): Promise<SeatSnapshot> {
    const first = await readSeatSnapshot(this.redis, seating.eventId);
    if (first.held.length >= seating.slotCount) return first;
    await this.load(seating);
    return readSeatSnapshot(this.redis, seating.eventId);
  }

  /** Slots free on every leg: what is left to sell of the whole route (SeatsSold.available_after). */
  async availableOnWholeRoute(seating: Seating): Promise<number> {
    const states = slotStates(seating, await this.snapshot(seating), legMask(0, seating.legCount));
    return states.reduce((free, state) => (state === SlotState.Available ? free + 1 : free), 0);
  }

  /** The event of a hold id and its seating; NOT_FOUND for an id no hold can have. */
  async seatingOfHold(holdId: string): Promise<Seating> {
    const eventId = eventOfHoldId(holdId);
    if (eventId === undefined) throw notFound("hold", holdId);
    try {
      return await this.seatings.get(eventId);
    } catch (error) {
      // An id naming an event that does not exist names no hold either.
      if (error instanceof ConnectError && error.code === Code.NotFound) throw notFound("hold", holdId);
      throw error;
    }
  }

  /** A hold of the caller (or any hold, for an internal caller with `userId` undefined); NOT_FOUND otherwise. */
  async holdOf(holdId: string, userId: string | undefined): Promise<{ seating: Seating; hold: HoldRecord }> {
    const seating = await this.seatingOfHold(holdId);
    const hold = await this.store.getHold(seating.eventId, holdId);
    if (hold === undefined || (userId !== undefined && hold.userId !== userId)) throw notFound("hold", holdId);
    return { seating, hold };
  }
}
