import { anyUnpack, timestampDate } from "@bufbuild/protobuf/wkt";
import { type Consumer, type Database, eventStream, type Logger, startConsumer } from "@marquee/mesh";
import type { Envelope } from "@marquee/proto/marquee/events/v1/envelope_pb.js";
import { EventCancelledSchema, EventUpdatedSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Redis } from "ioredis";
import { holdersOf, recordCancellation, recordCancellationNotices } from "../store/buyers.js";
import { recordNotification } from "../store/notifications.js";

/**
 * What a holder acts on when it changes (EventUpdated's changed_fields, by proto name): when and where
 * to be, and which event it is. A new description, prices or the hold policy tells a holder nothing.
 */
export const holderFacingFields: ReadonlySet<string> = new Set([
  "title",
  "venue_id",
  "start_time",
  "end_time",
  "stops",
]);

/**
 * Follows catalog's events for EventCancelled — a notice to every buyer of the event — and EventUpdated,
 * a notice to every holder when what they act on changed (`holderFacingFields`). The buyers are this
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

/** Records what one of catalog's events asks for; events other than EventCancelled and EventUpdated are ignored. */
export async function handleCatalogEvent(envelope: Envelope, em: EntityManager): Promise<void> {
  if (!envelope.payload) return;
  const updated = anyUnpack(envelope.payload, EventUpdatedSchema);
  if (updated) {
    await recordUpdateNotices(em, envelope.id, updated.event?.eventId ?? "", updated.changedFields);
    return;
  }
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

/**
 * An update a holder should know of: a notice to every user holding tickets of the event now, once per
 * update (the envelope id is the source, so a redelivery finds the rows there) and as each user's
 * preferences say (EVENT_UPDATED may be turned off). A buyer confirmed later bought the event as it is
 * then, and their tickets mail shows it.
 */
async function recordUpdateNotices(
  em: EntityManager,
  sourceEventId: string,
  eventId: string,
  changedFields: readonly string[],
): Promise<void> {
  const changed = changedFields.filter((field) => holderFacingFields.has(field));
  if (eventId === "" || changed.length === 0) return;
  for (const holder of await holdersOf(em, eventId)) {
    await recordNotification(em, {
      userId: holder.userId,
      kind: "EVENT_UPDATED",
      sourceEventId,
      recipient: holder.email,
      subject: "Your event changed",
      eventId,
      data: { changedFields: changed.join(",") },
    });
  }
}
