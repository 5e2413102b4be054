import { randomUUID } from "node:crypto";
import { type Database, rateLimited } from "@marquee/mesh";
import { ThrottleEventEntity } from "../entities/throttle-event.js";

/** What a throttle counts. */
export type ThrottleAction = "LOGIN_FAILURE" | "REGISTRATION" | "MAIL";

/** One limit: at most `max` events of an action under `key` in the window. */
export interface ThrottleLimit {
  /** `email:<address key>`, `ip:<address>` or `user:<id>`. */
  readonly key: string;
  readonly max: number;
}

/**
 * Sliding-window limits over rows of `throttle_event`, in PostgreSQL so that they hold across replicas:
 * a key is refused while it has `max` events younger than the window, and told exactly when the oldest
 * of them leaves it. Checking and recording are two statements, so callers racing past a check may
 * overshoot a limit by their number — by a handful at most, as each of them still pays a full scrypt.
 */
export class Throttle {
  constructor(
    private readonly orm: Database,
    private readonly windowMs: number,
  ) {}

  /** Throws RESOURCE_EXHAUSTED with a RetryInfo when any limit is reached. */
  async check(action: ThrottleAction, limits: readonly ThrottleLimit[], now: Date = new Date()): Promise<void> {
    const em = this.orm.em.fork();
    let retryAtMs = 0;
    for (const { key, max } of limits) {
      // The newest `max` events: when there are that many, the limit frees up as the oldest of them ages out.
      const newest = await em.find(
        ThrottleEventEntity,
        { action, key, eventTime: { $gt: new Date(now.getTime() - this.windowMs) } },
        { orderBy: { eventTime: "desc" }, limit: max, fields: ["eventTime"] },
      );
      const oldest = newest.at(-1);
      if (newest.length >= max && oldest !== undefined) {
        retryAtMs = Math.max(retryAtMs, oldest.eventTime.getTime() + this.windowMs);
      }
    }
    if (retryAtMs > 0) throw rateLimited(Math.max(1000, retryAtMs - now.getTime()));
  }

  /** Counts one event of `action` against each key. */
  async record(action: ThrottleAction, keys: readonly string[], now: Date = new Date()): Promise<void> {
    if (keys.length === 0) return;
    await this.orm.em.fork().insertMany(
      ThrottleEventEntity,
      keys.map((key) => ({ id: randomUUID(), action, key, eventTime: now })),
    );
  }

  /** Forgets the events of `action` under `key`: an account's failures, once its owner signed in. */
  async clear(action: ThrottleAction, key: string): Promise<void> {
    await this.orm.em.fork().nativeDelete(ThrottleEventEntity, { action, key });
  }

  /** Deletes every event older than the window: they count against nothing any more. */
  async prune(now: Date = new Date()): Promise<number> {
    return await this.orm.em
      .fork()
      .nativeDelete(ThrottleEventEntity, { eventTime: { $lte: new Date(now.getTime() - this.windowMs) } });
  }
}
