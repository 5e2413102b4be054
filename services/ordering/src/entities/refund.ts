import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/** Money returned for an order, in full or for some tickets, and where it is at the payment service. */
export const RefundEntity = defineEntity({
  name: "Refund",
  tableName: "refund",
  properties: {
    id: p.uuid().primary(),
    orderId: p.uuid(),
    ticketIds: p.json<string[]>(),
    currencyCode: p.text(),
    amountMinor: p.bigint("bigint"),
    /** A RefundReason name without its prefix, e.g. `CHECKOUT_FAILED`. */
    reason: p.text(),
    note: p.text(),
    /** `PENDING`, `SUCCEEDED` or `FAILED`. */
    state: p.text(),
    requesterId: p.text(),
    paymentRefundId: p.text(),
    /** Whether the refunded tickets' seats went back on sale (or never were to: a started event). */
    seatsReleased: p.boolean(),
    idempotencyKey: p.text(),
    requestFingerprint: p.text(),
    createTime: p.datetime(),
    completeTime: p.datetime().nullable(),
  },
});

/** A row of the refund table. */
export type RefundEntity = InferEntity<typeof RefundEntity>;
