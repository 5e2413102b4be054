import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * Who bought tickets for an event: one row per confirmed order, from OrderConfirmed, so that an
 * EventCancelled reaches every buyer without asking ordering (see `background/catalog-events.ts`).
 * `void_time` is when the order stopped holding tickets (cancelled, or every ticket refunded).
 */
export const EventBuyerEntity = defineEntity({
  name: "EventBuyer",
  tableName: "event_buyer",
  properties: {
    orderId: p.uuid().primary(),
    eventId: p.uuid(),
    userId: p.text(),
    email: p.text(),
    ticketCount: p.integer(),
    refundedTicketCount: p.integer(),
    confirmTime: p.datetime(),
    voidTime: p.datetime().nullable(),
  },
});

/** A row of the event_buyer table. */
export type EventBuyerEntity = InferEntity<typeof EventBuyerEntity>;
