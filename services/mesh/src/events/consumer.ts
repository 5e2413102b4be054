import { fromBinary } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { type Envelope, EnvelopeSchema } from "@marquee/proto/marquee/events/v1/envelope_pb.js";
import type { EntityManager } from "@mikro-orm/postgresql";
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Redis } from "ioredis";
import type { Database } from "../database.js";
import type { Logger } from "../logger.js";
import { InboxEntry } from "./inbox.js";
import { eventAge, eventsConsumed, trackConsumerGroup } from "./metrics.js";
import { createPause } from "./pause.js";
import { deadLetterStream } from "./streams.js";

/** Handles one event inside the transaction that also records it in the inbox; throw to retry it later. */
export type EventHandler = (envelope: Envelope, em: EntityManager) => Promise<void>;

/** What `startConsumer` needs. */
export interface ConsumerOptions {
  /** The consuming service's database, whose schema holds the inbox. */
  readonly orm: Database;
  /** A connection the consumer duplicates for its blocking reads; the original serves acks and claims. */
  readonly redis: Redis;
  /** The stream to read, e.g. `eventStream("catalog")`. */
  readonly stream: string;
  /** The consumer group, one per service and purpose, e.g. `search`; created when missing. */
  readonly group: string;
  /** This consumer's name within the group, unique per replica, e.g. the pod name. */
  readonly consumer: string;
  readonly handle: EventHandler;
  readonly logger: Logger;
  /**
   * Deliveries after which an entry that still fails moves to `<stream>.dead`.
   * @default 5
   */
  readonly maxDeliveries?: number;
  /**
   * How long an entry stays unacknowledged before any consumer of the group may claim it: the retry delay
   * after a failure, and how long a crashed consumer's entries wait. Longer than the slowest handler.
   * @default 30000
   */
  readonly claimIdleMs?: number;
  /**
   * Most entries read at once.
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * How long one XREADGROUP waits for new entries, in milliseconds; idle entries are claimed between reads.
   * @default 1000
   */
  readonly blockMs?: number;
  /**
   * Where a new group starts: `0` for everything still in the stream, `$` for entries added from now on.
   * @default "0"
   */
  readonly startId?: string;
}

/** A running consumer. */
export interface Consumer {
  /**
   * Stops reading; resolves once the entry being handled, if any, has committed and been acknowledged.
   * Entries read but not yet handled stay pending and are claimed by the group after `claimIdleMs`.
   */
  stop(): Promise<void>;
}

interface StreamEntry {
  readonly id: string;
  readonly fields: Map<string, Buffer>;
  readonly deliveries: number;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const tracer = trace.getTracer("@marquee/mesh");

/**
 * Starts consuming a Redis Stream in a consumer group (created with MKSTREAM when missing). Each entry's
 * envelope is handled in one database transaction together with an inbox insert of its id, and is
 * acknowledged after commit: delivery is at least once, the effect exactly once, since an id already in
 * the inbox is acknowledged without calling the handler again. A failing entry stays pending; after
 * `claimIdleMs` any consumer of the group claims it (XAUTOCLAIM) and tries again, which also takes over the
 * entries of a consumer that crashed. After `maxDeliveries` deliveries without success, or at once when the
 * entry cannot be decoded, it moves to `<stream>.dead` and is acknowledged. The handler runs inside the
 * OpenTelemetry context of the envelope's `traceparent`, in a CONSUMER span, so the producer's trace goes on.
 */
export function startConsumer(options: ConsumerOptions): Consumer {
  const { orm, redis, stream, group, consumer, handle } = options;
  const { maxDeliveries = 5, claimIdleMs = 30_000, batchSize = 10, blockMs = 1000, startId = "0" } = options;
  const logger = options.logger.child({ component: "event-consumer", stream, group, consumer });
  // XREADGROUP BLOCK holds its connection until entries arrive, so reads get a connection of their own.
  const reader = redis.duplicate();
  // Idle entries are claimed between reads, so a read must not block past the moment one becomes claimable.
  const readBlockMs = Math.max(1, Math.min(blockMs, claimIdleMs));
  const pause = createPause();
  let isStopping = false;
  let isReading = false;
  let claimCursor = "0-0";

  async function ensureGroup(): Promise<void> {
    try {
      await redis.xgroup("CREATE", stream, group, startId, "MKSTREAM");
    } catch (error) {
      if (!String(error).includes("BUSYGROUP")) throw error;
    }
  }

  /** Takes over entries idle longer than claimIdleMs, from crashed consumers or failed handling. */
  async function claimIdle(): Promise<StreamEntry[]> {
    const args = [stream, group, consumer, claimIdleMs, claimCursor, "COUNT", batchSize];
    const reply = (await redis.callBuffer("XAUTOCLAIM", args)) as [Buffer, RawEntry[]];
    claimCursor = reply[0].toString();
    const entries = parseEntries(reply[1]);
    if (entries.length === 0) return [];
    // XAUTOCLAIM counts the delivery but does not report the count; XPENDING does, entry by entry.
    const pipeline = redis.pipeline();
    for (const entry of entries) pipeline.xpending(stream, group, entry.id, entry.id, 1);
    const replies = (await pipeline.exec()) ?? [];
    return entries.map((entry, i) => {
      const [error, pending] = replies[i] ?? [];
      if (error) throw error;
      const count = (pending as [string, string, number, number][] | undefined)?.[0]?.[3];
      return { ...entry, deliveries: count ?? 1 };
    });
  }

  async function readNew(): Promise<StreamEntry[]> {
    isReading = true;
    try {
      const args = ["GROUP", group, consumer, "COUNT", batchSize, "BLOCK", readBlockMs, "STREAMS", stream, ">"];
      const reply = (await reader.callBuffer("XREADGROUP", args)) as [Buffer, RawEntry[]][] | null;
      return parseEntries(reply?.[0]?.[1] ?? []).map((entry) => ({ ...entry, deliveries: 1 }));
    } finally {
      isReading = false;
    }
  }

  async function deadLetter(entry: StreamEntry, reason: string): Promise<void> {
    const original = [...entry.fields].flat();
    const why = ["stream", stream, "group", group, "entry_id", entry.id, "deliveries", String(entry.deliveries)];
    // One MULTI: the entry leaves the group's pending list exactly when its dead letter exists.
    const result = await redis
      .multi()
      .xadd(deadLetterStream(stream), "*", ...original, ...why, "reason", reason)
      .xack(stream, group, entry.id)
      .exec();
    for (const [error] of result ?? []) if (error) throw error;
    eventsConsumed.inc({ stream, group, outcome: "dead_lettered" });
    logger.error(
      { entry_id: entry.id, deliveries: entry.deliveries, reason },
      "moved an event to the dead-letter stream",
    );
  }

  async function handleInTransaction(envelope: Envelope): Promise<boolean> {
    return await orm.em.fork().transactional(async (em) => {
      const inserted = await em
        .createQueryBuilder(InboxEntry)
        .insert({ consumerGroup: group, eventId: envelope.id, handledAt: new Date() })
        .onConflict(["consumerGroup", "eventId"])
        .ignore()
        .execute("run");
      if (inserted.affectedRows === 0) return false;
      await handle(envelope, em);
      return true;
    });
  }

  async function consume(entry: StreamEntry): Promise<void> {
    const raw = entry.fields.get("envelope");
    let envelope: Envelope;
    try {
      if (!raw) throw new Error("the entry has no envelope field");
      envelope = fromBinary(EnvelopeSchema, raw);
      if (!uuid.test(envelope.id)) throw new Error(`envelope id "${envelope.id}" is not a UUID`);
    } catch (error) {
      // It will never decode, so retrying only delays the entries behind it.
      await deadLetter(entry, `undecodable: ${(error as Error).message}`);
      return;
    }
    if (entry.deliveries > maxDeliveries) {
      await deadLetter(entry, `delivered ${entry.deliveries} times without being acknowledged`);
      return;
    }
    const parent = propagation.extract(ROOT_CONTEXT, { traceparent: envelope.traceparent });
    const span = tracer.startSpan(
      `process ${stream}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          "messaging.system": "redis",
          "messaging.operation.type": "process",
          "messaging.operation.name": "process",
          "messaging.destination.name": stream,
          "messaging.consumer.group.name": group,
          "messaging.message.id": envelope.id,
          "marquee.event.type": envelope.type,
        },
      },
      parent,
    );
    await context.with(trace.setSpan(parent, span), async () => {
      const fields = { entry_id: entry.id, event_id: envelope.id, type: envelope.type, deliveries: entry.deliveries };
      try {
        let isHandled: boolean;
        try {
          isHandled = await handleInTransaction(envelope);
        } catch (error) {
          eventsConsumed.inc({ stream, group, outcome: "failed" });
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
          if (entry.deliveries >= maxDeliveries) {
            await deadLetter(entry, `handler failed ${entry.deliveries} times, last: ${(error as Error).message}`);
          } else {
            logger.warn(
              { ...fields, err: error, retry_after_ms: claimIdleMs },
              "handling an event failed; it stays pending",
            );
          }
          return;
        }
        // Should the ack be lost, the entry stays pending; its next delivery finds the id in the inbox and acks.
        await redis.xack(stream, group, entry.id);
        eventsConsumed.inc({ stream, group, outcome: isHandled ? "handled" : "duplicate" });
        if (isHandled && envelope.time) {
          eventAge.observe({ stream, group }, Math.max(0, (Date.now() - timestampMs(envelope.time)) / 1000));
        }
        logger.debug(fields, isHandled ? "handled an event" : "acknowledged an event already in the inbox");
      } finally {
        span.end();
      }
    });
  }

  async function run(): Promise<void> {
    let failures = 0;
    await ensureGroup().catch(() => undefined);
    while (!isStopping) {
      try {
        const entries = [...(await claimIdle()), ...(isStopping ? [] : await readNew())];
        for (const entry of entries) {
          if (isStopping) break;
          await consume(entry);
        }
        failures = 0;
      } catch (error) {
        if (isStopping) break;
        failures++;
        // Redis restarted without data (or the stream was deleted): the group is gone, so make it again.
        if (String(error).includes("NOGROUP")) await ensureGroup().catch(() => undefined);
        const waitMs = Math.min(100 * 2 ** failures, 5_000);
        logger.error({ err: error, retry_in_ms: waitMs }, "consuming the stream failed");
        await pause.wait(waitMs);
      }
    }
  }

  const running = run();
  const untrack = trackConsumerGroup(stream, group, redis);
  logger.info({ max_deliveries: maxDeliveries, claim_idle_ms: claimIdleMs }, "event consumer started");
  return {
    async stop() {
      isStopping = true;
      untrack();
      pause.interrupt();
      // Abandon a blocked XREADGROUP rather than wait out blockMs; anything it delivered stays pending.
      if (isReading) reader.disconnect();
      await running;
      reader.disconnect();
      logger.info("event consumer stopped");
    },
  };
}

type RawEntry = [Buffer, Buffer[] | null];

function parseEntries(raw: RawEntry[]): { id: string; fields: Map<string, Buffer> }[] {
  const entries = [];
  for (const [id, values] of raw) {
    // XREADGROUP and XAUTOCLAIM report an entry deleted from the stream with no fields.
    if (!values) continue;
    const fields = new Map<string, Buffer>();
    for (let i = 0; i + 1 < values.length; i += 2) {
      const [name, value] = [values[i], values[i + 1]];
      if (name && value) fields.set(name.toString(), value);
    }
    entries.push({ id: id.toString(), fields });
  }
  return entries;
}
