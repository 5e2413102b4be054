import { anyUnpack, timestampDate } from "@bufbuild/protobuf/wkt";
import { type Consumer, type Database, eventStream, type Logger, startConsumer } from "@marquee/mesh";
import type { Envelope } from "@marquee/proto/marquee/events/v1/envelope_pb.js";
import {
  OrderCancelledSchema,
  OrderConfirmedSchema,
  OrderRefundedSchema,
} from "@marquee/proto/marquee/events/v1/events_pb.js";
import { RefundReason } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Redis } from "ioredis";
import { addBuyer, cancellationOf, refundTickets, voidOrder } from "../store/buyers.js";
import { recordNotification } from "../store/notifications.js";

/**
 * Follows ordering's events. Each is handled in the transaction of its inbox entry, and handling only
 * records: a notification row (PENDING) and the event's buyers. Nothing is mailed here: the sender
 * (`sender.ts`) mails after commit. So a crash anywhere before the commit leaves no trace and the event
 * is redelivered; a crash after it leaves the row, which the sender finds; and a redelivery after the
 * commit (the ack lost) is skipped by the inbox — and were it not, by the row's unique constraint.
 * A refund for a cancelled event (reason EVENT_CANCELLED) records no notice of its own: the event's
 * cancellation notice tells its holders that they are refunded in full.
 */
export function followOrdering(orm: Database, redis: Redis, consumer: string, log: Logger): Consumer {
  return startConsumer({
    orm,
    redis,
    stream: eventStream("ordering"),
    group: "notification",
    consumer,
    logger: log,
    handle: (envelope, em) => handleOrderEvent(envelope, em),
  });
}

/** Records what one of ordering's events asks for; other events are ignored. */
export async function handleOrderEvent(envelope: Envelope, em: EntityManager): Promise<void> {
  if (!envelope.payload) return;
  const time = envelope.time ? timestampDate(envelope.time) : new Date();
  const confirmed = anyUnpack(envelope.payload, OrderConfirmedSchema);
  if (confirmed) {
    await addBuyer(em, {
      orderId: confirmed.orderId,
      eventId: confirmed.eventId,
      userId: confirmed.userId,
      email: confirmed.contactEmail,
      ticketCount: confirmed.ticketCount,
      time,
    });
    await recordNotification(em, {
      userId: confirmed.userId,
      kind: "ORDER_CONFIRMED",
      sourceEventId: envelope.id,
      recipient: confirmed.contactEmail,
      subject: "Your tickets",
      orderId: confirmed.orderId,
      eventId: confirmed.eventId,
    });
    // The event may have been cancelled before this order's confirmation reached us (catalog's stream
    // and ordering's are read apart): its buyers were told then, and this one must be too. Same source,
    // so whichever path records first, the buyer gets one notice.
    const cancellation = await cancellationOf(em, confirmed.eventId);
    if (cancellation) {
      await recordNotification(em, {
        userId: confirmed.userId,
        kind: "EVENT_CANCELLED",
        sourceEventId: cancellation.sourceEventId,
        recipient: confirmed.contactEmail,
        subject: "Your event was cancelled",
        eventId: confirmed.eventId,
        data: { reason: cancellation.reason },
      });
    }
    return;
  }
  const refunded = anyUnpack(envelope.payload, OrderRefundedSchema);
  if (refunded) {
    await refundTickets(em, refunded.orderId, refunded.ticketIds.length, time);
    // A cancelled event's refunds are told in its cancellation notice, which says the money comes back in
    // full: one mail per holder, not a cancellation and then a refund for each of their orders.
    if (refunded.reason === RefundReason.EVENT_CANCELLED) return;
    await recordNotification(em, {
      userId: refunded.userId,
      kind: "ORDER_REFUNDED",
      sourceEventId: envelope.id,
      recipient: "",
      subject: "Your refund",
      orderId: refunded.orderId,
      eventId: refunded.eventId,
      data: {
        refundId: refunded.refundId,
        currencyCode: refunded.amount?.currencyCode ?? "",
        amountMinor: String(refunded.amount?.amountMinor ?? 0n),
        ticketCount: String(refunded.ticketIds.length),
      },
    });
    return;
  }
  const cancelled = anyUnpack(envelope.payload, OrderCancelledSchema);
  if (cancelled) {
    await voidOrder(em, cancelled.orderId, time);
    await recordNotification(em, {
      userId: cancelled.userId,
      kind: "ORDER_CANCELLED",
      sourceEventId: envelope.id,
      recipient: "",
      subject: "Your order was cancelled",
      orderId: cancelled.orderId,
      eventId: cancelled.eventId,
      data: { reason: cancelled.reason },
    });
  }
}
