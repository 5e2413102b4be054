import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * One mail (or, later, text message) to one user about one platform event: recorded in the transaction
 * that puts the event in the inbox, sent after it commits (see `background/sender.ts`). At most one row
 * per (source event, user, channel), by a unique constraint, whatever the deliveries of the event.
 */
export const NotificationEntity = defineEntity({
  name: "Notification",
  tableName: "notification",
  properties: {
    id: p.uuid().primary(),
    userId: p.text(),
    /** ORDER_CONFIRMED, ORDER_CANCELLED, ORDER_REFUNDED, EVENT_CANCELLED (NotificationKind without prefix). */
    kind: p.text(),
    /** EMAIL. */
    channel: p.text(),
    /** The address it went to; empty until the sender resolved it (an order's buyer email). */
    recipient: p.text(),
    subject: p.text(),
    preview: p.text(),
    /** PENDING (not tried), FAILED (an attempt failed; retried at next_attempt_time), SENT, DEAD (given up). */
    state: p.text(),
    attempts: p.integer(),
    nextAttemptTime: p.datetime(),
    /** Until when a sender replica owns the row; unset when nobody does. */
    leaseUntil: p.datetime().nullable(),
    sendTime: p.datetime().nullable(),
    failureReason: p.text(),
    /** The envelope id of the platform event it reacts to. */
    sourceEventId: p.uuid(),
    orderId: p.uuid().nullable(),
    eventId: p.uuid().nullable(),
    /** What the template needs beyond the ids: a refund's amount, a cancellation's reason. */
    data: p.json<Record<string, string>>(),
    createTime: p.datetime(),
  },
});

/** A row of the notification table. */
export type NotificationEntity = InferEntity<typeof NotificationEntity>;
