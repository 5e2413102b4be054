import type { EntityManager } from "@mikro-orm/postgresql";
import type { Redis } from "ioredis";
import type { Database } from "../database.js";
import type { Logger } from "../logger.js";
import { eventsPublished, trackOutbox } from "./metrics.js";
import { OutboxEntry } from "./outbox.js";
import { createPause } from "./pause.js";
import { eventStream } from "./streams.js";

/** What `startRelay` needs. */
export interface RelayOptions {
  /** The service's database, whose schema holds the outbox. */
  readonly orm: Database;
  readonly redis: Redis;
  /** The producing service; events go to the stream `marquee.events.<source>`. */
  readonly source: string;
  readonly logger: Logger;
  /**
   * Most outbox rows published per transaction.
   * @default 100
   */
  readonly batchSize?: number;
  /**
   * How long the relay waits before looking again once the outbox is empty, in milliseconds.
   * @default 100
   */
  readonly pollMs?: number;
  /**
   * Trims the stream to about this many entries on each publish (`XADD MAXLEN ~`). Unset keeps every
   * entry; a consumer group further behind than this loses what was trimmed.
   */
  readonly maxLen?: number;
}

/** A running relay. */
export interface Relay {
  /** Stops polling; resolves once the batch in flight, if any, has committed or rolled back. */
  stop(): Promise<void>;
}

/**
 * Starts publishing the service's outbox to its Redis Stream: in a loop, one transaction takes the oldest
 * rows in `seq` order, XADDs each envelope (field `envelope`, the Envelope's binary) in one pipeline, and
 * deletes them. Run one per replica: a transaction-scoped advisory lock per schema lets one replica publish
 * at a time, so the stream keeps outbox order; the others skip that round. A crash between XADD and commit
 * publishes the rows again on the next round: delivery is at least once, and consumers deduplicate by id.
 *
 * Order: `seq` is taken at insert, so rows of transactions that commit out of `seq` order may be published
 * out of `seq` order (a row still uncommitted when a batch is read goes out in a later batch). Writes that
 * are ordered — the second begins after the first commits, as writes of one subject are when the
 * service locks the subject's row — are always published in the order they were written.
 */
export function startRelay(options: RelayOptions): Relay {
  const { orm, redis, source, batchSize = 100, pollMs = 100, maxLen } = options;
  const stream = eventStream(source);
  const lockKey = `marquee.relay:${orm.config.get("schema")}`;
  const logger = options.logger.child({ component: "event-relay", stream });
  const trim = maxLen === undefined ? [] : ["MAXLEN", "~", String(maxLen)];
  const pause = createPause();
  let isStopping = false;

  async function publishBatch(em: EntityManager): Promise<number> {
    const [lock] = await em.execute<{ locked: boolean }[]>(
      "select pg_try_advisory_xact_lock(hashtextextended(?, 0)) as locked",
      [lockKey],
    );
    if (!lock?.locked) return 0;
    const rows = await em.find(OutboxEntry, {}, { orderBy: { seq: "asc" }, limit: batchSize });
    if (rows.length === 0) return 0;
    const pipeline = redis.pipeline();
    for (const row of rows) pipeline.xadd(stream, ...trim, "*", "envelope", Buffer.from(row.envelope));
    for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
    await em.nativeDelete(OutboxEntry, { seq: { $in: rows.map((row) => row.seq) } });
    eventsPublished.inc({ stream }, rows.length);
    logger.debug({ count: rows.length, last_seq: rows.at(-1)?.seq }, "published outbox events");
    return rows.length;
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!isStopping) {
      let waitMs = pollMs;
      try {
        const published = await orm.em.fork().transactional((em) => publishBatch(em));
        failures = 0;
        // A full batch means more may be waiting: go again at once.
        if (published === batchSize) waitMs = 0;
      } catch (error) {
        failures++;
        waitMs = Math.min(pollMs * 2 ** failures, 5_000);
        logger.error({ err: error, retry_in_ms: waitMs }, "publishing the outbox failed; the batch stays for a retry");
      }
      if (waitMs > 0 && !isStopping) await pause.wait(waitMs);
    }
  }

  const running = run();
  const untrack = trackOutbox(source, orm);
  logger.info({ batch_size: batchSize, poll_ms: pollMs }, "event relay started");
  return {
    async stop() {
      isStopping = true;
      untrack();
      pause.interrupt();
      await running;
      logger.info("event relay stopped");
    },
  };
}
