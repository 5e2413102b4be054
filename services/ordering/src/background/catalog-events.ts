import { anyUnpack, timestampDate } from "@bufbuild/protobuf/wkt";
import { type Consumer, type Database, eventStream, type Logger, startConsumer } from "@marquee/mesh";
import type { Envelope } from "@marquee/proto/marquee/events/v1/envelope_pb.js";
import { EventCancelledSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Redis } from "ioredis";
import { recordEventCancellation } from "../store/event-cancellations.js";

/**
 * Follows catalog's events for EventCancelled. Handling only records the cancellation, in the inbox
 * entry's transaction: thousands of orders are not refunded inside one consumer transaction, but by the
 * cancellation worker (`cancellation-worker.ts`) in batches. A crash before the commit leaves nothing and
 * the event is redelivered; a redelivery after it is skipped by the inbox, and were it not, by the row's
 * primary key.
 */
export function followCatalog(orm: Database, redis: Redis, consumer: string, log: Logger): Consumer {
  return startConsumer({
    orm,
    redis,
    stream: eventStream("catalog"),
    group: "ordering",
    consumer,
    logger: log,
    handle: (envelope, em) => handleCatalogEvent(envelope, em),
  });
}

/** Records what one of catalog's events asks of ordering; events other than EventCancelled are ignored. */
export async function handleCatalogEvent(envelope: Envelope, em: EntityManager): Promise<void> {
  if (!envelope.payload) return;
  const cancelled = anyUnpack(envelope.payload, EventCancelledSchema);
  if (!cancelled) return;
  await recordEventCancellation(em, {
    eventId: cancelled.eventId,
    sourceEventId: envelope.id,
    reason: cancelled.reason,
    cancelTime: envelope.time ? timestampDate(envelope.time) : new Date(),
  });
}
