import { anyUnpack, timestampDate } from "@bufbuild/protobuf/wkt";
import { type Consumer, type Database, eventStream, type Logger, startConsumer } from "@marquee/mesh";
import type { Envelope } from "@marquee/proto/marquee/events/v1/envelope_pb.js";
import { EventCancelledSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Redis } from "ioredis";
import { recordCancellation, recordCancellationNotices } from "../store/buyers.js";

/**
 * Follows catalog's events for EventCancelled: a notice to every buyer of the event. The buyers are this
 * service's own table, kept from OrderConfirmed, OrderRefunded and OrderCancelled, rather than ordering's
 * ListOrders: no call inside the inbox transaction, no paging through thousands of orders with an
 * organizer's rights, and no race with ordering refunding those orders meanwhile (a refund caused by the
 * cancellation would take the order out of a "confirmed" filter, and the buyer would not be told). An
 * order voided before the cancellation's time is left out; one confirmed after it is told when its
 * OrderConfirmed arrives (`order-events.ts`).
 */
export function followCatalog(orm: Database, redis: Redis, consumer: string, log: Logger): Consumer {
  return startConsumer({
    orm,
    redis,
    stream: eventStream("catalog"),
    group: "notification",
    consumer,
    logger: log,
    handle: (envelope, em) => handleCatalogEvent(envelope, em),
  });
}

/** Records what one of catalog's events asks for; events other than EventCancelled are ignored. */
export async function handleCatalogEvent(envelope: Envelope, em: EntityManager): Promise<void> {
  if (!envelope.payload) return;
  const cancelled = anyUnpack(envelope.payload, EventCancelledSchema);
  if (!cancelled) return;
  const cancellation = {
    sourceEventId: envelope.id,
    reason: cancelled.reason,
    cancelTime: envelope.time ? timestampDate(envelope.time) : new Date(),
  };
  await recordCancellation(em, cancelled.eventId, cancellation);
  await recordCancellationNotices(em, cancelled.eventId, cancellation);
}
