import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/** One refund of a payment (`PaymentRefund` in the proto). */
export const PaymentRefundEntity = defineEntity({
  name: "PaymentRefund",
  tableName: "payment_refund",
  properties: {
    id: p.uuid().primary(),
    paymentId: p.uuid(),
    amountMinor: p.bigint("number"),
    currencyCode: p.text(),
    reason: p.text(),
    /** PaymentRefundState name without prefix: PENDING, SUCCEEDED or FAILED. */
    state: p.text(),
    /** Sealed: the gateway's refund id, once it answered. */
    providerRefundId: p.text().nullable(),
    failureMessage: p.text(),
    createTime: p.datetime(),
    completeTime: p.datetime().nullable(),
  },
});

/** A row of the payment_refund table. */
export type PaymentRefundEntity = InferEntity<typeof PaymentRefundEntity>;
