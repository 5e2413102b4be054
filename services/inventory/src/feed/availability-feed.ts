import type { Logger } from "@marquee/mesh";
import type { Cluster, Redis } from "ioredis";
import { type SeatBytes, type SectionCounts, sectionCounts, slotState, slotStates } from "../domain/availability.js";
import type { Seating } from "../domain/seating.js";
import { availabilityReaders, availabilityWatchers } from "../metrics.js";
import { readSeatSnapshot } from "../store/availability-reader.js";
import { changesKey } from "../store/keys.js";
import { WatcherBacklog } from "./watcher-backlog.js";

/** A change of availability for one ride, or the whole picture when `isSnapshot`. */
export interface AvailabilityUpdate {
  readonly isSnapshot: boolean;
  /** Slot index and new state, for named seats only (GA places are counted, not listed). */
  readonly seats: readonly { readonly slot: number; readonly state: number }[];
  readonly sections: readonly SectionCounts[];
  /** The change-stream id this update brings the watcher up to. */
  readonly cursor: string;
  /** When the last change it carries happened (the stream id's time); now for a snapshot. */
  readonly changeTimeMs: number;
}

/** Options of {@link AvailabilityFeed}. */
export interface AvailabilityFeedOptions {
  /**
   * Pause between two reads of an event's change stream: changes in that time reach watchers as one update,
   * so an on-sale's thousands of holds per second cost each watcher a few messages per second.
   * @default 100
   */
  readonly coalesceMs?: number;
  /** How long one blocking read waits. @default 1000 */
  readonly blockMs?: number;
  /**
   * Updates a watcher may have waiting. Past them, or past a snapshot's worth of seats and sections, its
   * backlog is dropped and it is sent a fresh snapshot when it pulls again (see {@link WatcherBacklog}).
   * @default 256
   */
  readonly maxQueued?: number;
}

type Listener = (update: AvailabilityUpdate) => void;

/** The state of one ride (leg mask) of an event, shared by every watcher of that ride in this replica. */
interface View {
  readonly legMask: number;
  readonly states: Uint8Array;
  readonly counts: SectionCounts[];
  readonly listeners: Set<Listener>;
}

/** One event's reader: one blocking connection tailing `{ev:<id>}:changes`, however many watch it. */
interface Channel {
  readonly seating: Seating;
  readonly views: Map<number, View>;
  lastId: string;
  stopped: boolean;
}

/**
 * WatchAvailability's fan-out. Each replica tails each watched event's change stream once — one reader per
 * event per replica, never one Redis subscription per client — and keeps, per ride, every slot's state. A
 * batch of stream entries names the slots it touched; their states are re-read in one consistent snapshot
 * and compared with the view's, so an update carries exactly the seats whose state changed *for that
 * ride* (a hold on Jessore → Kolkata is no change for a Dhaka → Faridpur watcher) and the counts of their
 * sections. Entries are never trusted for the state itself, so duplicates and reordering are harmless.
 * A watcher too slow to keep up costs a bounded backlog and then gets a fresh snapshot on the same stream,
 * never an error: the view is the truth it is resynchronised from.
 */
export class AvailabilityFeed {
  private readonly channels = new Map<string, Channel>();
  private readonly coalesceMs: number;
  private readonly blockMs: number;
  private readonly maxQueued: number;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly log: Logger,
    options: AvailabilityFeedOptions = {},
  ) {
    this.coalesceMs = options.coalesceMs ?? 100;
    this.blockMs = options.blockMs ?? 1000;
    this.maxQueued = options.maxQueued ?? 256;
  }

  /** Events with a reader in this replica. */
  watchedEvents(): string[] {
    return [...this.channels.keys()];
  }

  /**
   * The snapshot of the ride and then its changes until `signal` aborts. `snapshot` reads the event's
   * bytes (loading the event when Redis lacks it). A watcher that falls behind (see `maxQueued`) is not
   * failed: it gets a fresh snapshot of the ride (`isSnapshot` again) in place of the changes it missed,
   * then changes again; it should forget what it knew and take the snapshot instead.
   */
  async *watch(
    seating: Seating,
    legMask: number,
    signal: AbortSignal,
    snapshot: () => Promise<SeatBytes & { readonly cursor: string }>,
  ): AsyncGenerator<AvailabilityUpdate> {
    const backlog = new WatcherBacklog(this.maxQueued, seating.seatCount + seating.sections.length);
    const listener: Listener = (update) => {
      if (backlog.push(update)) {
        this.log.debug(
          { eventId: seating.eventId, legMask },
          "an availability watcher fell behind; it gets a snapshot",
        );
      }
    };
    const onAbort = () => backlog.interrupt();
    signal.addEventListener("abort", onAbort);
    const view = await this.join(seating, legMask, listener, snapshot);
    availabilityWatchers.inc();
    try {
      yield this.snapshotOf(seating, view);
      while (!signal.aborted) {
        const next = backlog.take();
        if (next === undefined) await backlog.next();
        // Read now, in the same turn as take(): the view holds every change dropped from the backlog, and
        // any later change is pushed after this snapshot, as a change to it.
        else yield next.kind === "resync" ? this.snapshotOf(seating, view) : next.update;
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      availabilityWatchers.dec();
      this.leave(seating.eventId, legMask, listener);
    }
  }

  /** Stops every reader; watchers see no more updates. */
  close(): void {
    for (const channel of this.channels.values()) channel.stopped = true;
    this.channels.clear();
  }

  /** The whole picture of a view as it is now, at the stream position its reader has reached. */
  private snapshotOf(seating: Seating, view: View): AvailabilityUpdate {
    return {
      isSnapshot: true,
      seats: [...view.states.subarray(0, seating.seatCount)].map((state, slot) => ({ slot, state })),
      sections: view.counts.map((counts) => ({ ...counts })),
      cursor: this.channels.get(seating.eventId)?.lastId ?? "0-0",
      changeTimeMs: Date.now(),
    };
  }

  private async join(
    seating: Seating,
    legMask: number,
    listener: Listener,
    snapshot: () => Promise<SeatBytes & { readonly cursor: string }>,
  ): Promise<View> {
    const existing = this.channels.get(seating.eventId)?.views.get(legMask);
    if (existing !== undefined) {
      existing.listeners.add(listener);
      return existing;
    }
    const bytes = await snapshot();
    let channel = this.channels.get(seating.eventId);
    // Another watcher of the ride may have created the view while the snapshot was read.
    const raced = channel?.views.get(legMask);
    if (raced !== undefined) {
      raced.listeners.add(listener);
      return raced;
    }
    const states = slotStates(seating, bytes, legMask);
    const view: View = { legMask, states, counts: sectionCounts(seating, states), listeners: new Set([listener]) };
    if (channel === undefined) {
      // The snapshot reflects every change up to its cursor: the reader starts right after it.
      channel = { seating, views: new Map(), lastId: bytes.cursor, stopped: false };
      this.channels.set(seating.eventId, channel);
      availabilityReaders.inc();
      this.read(channel).catch((error: unknown) =>
        this.log.error({ err: error, eventId: seating.eventId }, "availability reader stopped"),
      );
    }
    channel.views.set(legMask, view);
    return view;
  }

  private leave(eventId: string, legMask: number, listener: Listener): void {
    const channel = this.channels.get(eventId);
    const view = channel?.views.get(legMask);
    if (channel === undefined || view === undefined) return;
    view.listeners.delete(listener);
    if (view.listeners.size > 0) return;
    channel.views.delete(legMask);
    if (channel.views.size > 0) return;
    channel.stopped = true;
    this.channels.delete(eventId);
  }

  /** The reader loop of one event, on its own connection (a blocking read holds it). */
  private async read(channel: Channel): Promise<void> {
    const { eventId } = channel.seating;
    const connection = this.redis.duplicate();
    connection.on("error", (error: Error) =>
      this.log.warn({ err: error, eventId }, "availability reader connection failed"),
    );
    try {
      while (!channel.stopped) {
        try {
          const reply = (await connection.xread(
            "COUNT",
            1000,
            "BLOCK",
            this.blockMs,
            "STREAMS",
            changesKey(eventId),
            channel.lastId,
          )) as [string, [string, string[]][]][] | null;
          const entries = reply?.[0]?.[1] ?? [];
          if (channel.stopped || entries.length === 0) continue;
          const touched = touchedSlots(entries, channel.seating.slotCount);
          const last = entries.at(-1)?.[0] ?? channel.lastId;
          const bytes = await readSeatSnapshot(this.redis, eventId);
          channel.lastId = last;
          for (const view of channel.views.values()) this.publish(channel.seating, view, touched, bytes, last);
          await sleep(this.coalesceMs);
        } catch (error) {
          // Redis restarting or failing over: watchers keep their stream and catch up once it is back.
          this.log.warn({ err: error, eventId }, "reading availability changes failed; retrying");
          await sleep(500);
        }
      }
    } finally {
      availabilityReaders.dec();
      connection.disconnect();
    }
  }

  private publish(seating: Seating, view: View, touched: Iterable<number>, bytes: SeatBytes, cursor: string): void {
    const seats: { slot: number; state: number }[] = [];
    const sections = new Set<number>();
    for (const slot of touched) {
      const state = slotState(bytes, slot, view.legMask);
      const before = view.states[slot] ?? 0;
      if (state === before) continue;
      view.states[slot] = state;
      const position = seating.sectionPositionOf(slot);
      const counts = view.counts[position];
      if (counts !== undefined) {
        counts[stateName(before)]--;
        counts[stateName(state)]++;
        sections.add(position);
      }
      if (slot < seating.seatCount) seats.push({ slot, state });
    }
    if (sections.size === 0) return;
    const update: AvailabilityUpdate = {
      isSnapshot: false,
      seats,
      sections: [...sections].map((position) => ({ ...(view.counts[position] as SectionCounts) })),
      cursor,
      changeTimeMs: Number(cursor.split("-")[0]),
    };
    for (const listener of view.listeners) listener(update);
  }
}

function stateName(state: number): "available" | "held" | "sold" {
  return state === 2 ? "sold" : state === 1 ? "held" : "available";
}

/** The slots a batch of change entries names; every slot for a rebuild, which names none. */
function touchedSlots(entries: readonly [string, string[]][], slotCount: number): Iterable<number> {
  const touched = new Set<number>();
  for (const [, fields] of entries) {
    const type = fieldOf(fields, "type");
    if (type === "rebuilt") return Array.from({ length: slotCount }, (_, slot) => slot);
    for (const part of (fieldOf(fields, "seats") ?? "").split(",")) if (part !== "") touched.add(Number(part));
  }
  return touched;
}

function fieldOf(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
