import type { AvailabilityUpdate } from "./availability-feed.js";

/** What a watcher is sent next: a queued update, or a fresh snapshot of the ride in place of a dropped backlog. */
export type BacklogItem =
  | { readonly kind: "update"; readonly update: AvailabilityUpdate }
  | { readonly kind: "resync" };

/**
 * The updates one watcher has not pulled yet, bounded. Past `maxUpdates` updates, or past `maxEntries` seats and
 * sections in all, the backlog is dropped and the watcher is owed one resync instead: a snapshot read from the
 * view when it pulls again, which already holds every dropped change. A watcher that falls behind thus costs
 * at most one snapshot's worth of memory and recovers on the same stream. Updates are shared by every
 * watcher of a view, so what a backlog keeps alive is what bounds memory, not the array itself.
 */
export class WatcherBacklog {
  private readonly updates: AvailabilityUpdate[] = [];
  private entries = 0;
  private isResyncOwed = false;
  private wake: (() => void) | undefined;

  /**
   * @param maxUpdates updates the backlog may hold
   * @param maxEntries seats plus sections it may hold in all: those of a snapshot, so a dropped backlog is
   *   never cheaper to send than the snapshot that replaces it
   */
  constructor(
    private readonly maxUpdates: number,
    private readonly maxEntries: number,
  ) {}

  /** Queues an update; returns true when this one made the backlog overflow into a resync. */
  push(update: AvailabilityUpdate): boolean {
    if (this.isResyncOwed) return false;
    const entries = entriesOf(update);
    const overflows = this.updates.length >= this.maxUpdates || this.entries + entries > this.maxEntries;
    if (overflows) {
      this.updates.length = 0;
      this.entries = 0;
      this.isResyncOwed = true;
    } else {
      this.updates.push(update);
      this.entries += entries;
    }
    this.wake?.();
    return overflows;
  }

  /**
   * The next thing to send, or undefined when there is none yet. A resync is owed until taken: the caller must
   * read the snapshot synchronously, before any later update is pushed, so nothing falls between the two.
   */
  take(): BacklogItem | undefined {
    if (this.isResyncOwed) {
      this.isResyncOwed = false;
      return { kind: "resync" };
    }
    const update = this.updates.shift();
    if (update === undefined) return undefined;
    this.entries -= entriesOf(update);
    return { kind: "update", update };
  }

  /** Resolves at the next push or {@link interrupt}. */
  next(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = undefined;
        resolve();
      };
    });
  }

  /** Wakes a waiting {@link next}, e.g. when the watch is aborted. */
  interrupt(): void {
    this.wake?.();
  }
}

function entriesOf(update: AvailabilityUpdate): number {
  return update.seats.length + update.sections.length;
}
