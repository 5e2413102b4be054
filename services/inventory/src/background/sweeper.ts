import { create } from "@bufbuild/protobuf";
import { type BackgroundTask, writeEvent } from "@marquee/mesh";
import { HoldExpiredSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import { type Inventory, loadedEventsKey } from "../inventory.js";
import { expiredHolds } from "../metrics.js";
import type { ExpiredHold } from "../store/hold-store.js";

/** Options of {@link startSweeper}. */
export interface SweeperOptions {
  /** Pause between two rounds over every loaded event. @default 1000 */
  readonly intervalMs?: number;
  /** Holds expired per script call; a round repeats the call while it comes back full. @default 200 */
  readonly batchSize?: number;
}

/**
 * Starts the expiry sweeper: every `intervalMs` it expires the lapsed holds of every event loaded in Redis,
 * a batch per script call, and writes a HoldExpired for each to the outbox. Runs in every replica at once:
 * each call is atomic, so racing sweepers take disjoint holds and each hold expires exactly once. A hold is
 * already EXPIRED to GetHold and refused by commit from its expiry on; the sweep only frees its seats.
 */
export function startSweeper(inventory: Inventory, options: SweeperOptions = {}): BackgroundTask {
  const intervalMs = options.intervalMs ?? 1000;
  const batchSize = options.batchSize ?? 200;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();

  async function sweepEvent(eventId: string): Promise<void> {
    for (;;) {
      const expired = await inventory.store.sweep(eventId, batchSize);
      if (expired.length > 0) await announce(inventory, eventId, expired);
      if (expired.length < batchSize || stopped) return;
    }
  }

  async function sweepAll(): Promise<void> {
    try {
      const eventIds = await inventory.redis.smembers(loadedEventsKey);
      for (const eventId of eventIds) {
        if (stopped) return;
        await sweepEvent(eventId);
      }
    } catch (error) {
      inventory.log.warn({ err: error }, "expiry sweep failed; retrying next round");
    }
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      round = sweepAll().finally(schedule);
    }, intervalMs);
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await round;
    },
  };
}

/** Writes HoldExpired for each expired hold in one transaction. */
async function announce(inventory: Inventory, eventId: string, expired: readonly ExpiredHold[]): Promise<void> {
  expiredHolds.inc(expired.length);
  const seating = await inventory.seatings.get(eventId);
  await inventory.orm.em.fork().transactional(async (em) => {
    for (const hold of expired) {
      await writeEvent(em, {
        source: "inventory",
        subject: eventId,
        schema: HoldExpiredSchema,
        payload: create(HoldExpiredSchema, {
          holdId: hold.holdId,
          eventId,
          userId: hold.userId,
          seatIds: seating.describe(hold.seatIndexes).seatIds,
        }),
      });
    }
  });
}
