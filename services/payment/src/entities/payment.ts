import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * The money of one order at the gateway (`Payment` in the proto): one row per order, which PostgreSQL
 * enforces (`payment_order_id_key`). Columns marked sealed hold `<kid>:<iv>:<ciphertext+tag>`
 * (`FieldCipher`), each bound to this row and column.
 */
export const PaymentEntity = defineEntity({
  name: "Payment",
  tableName: "payment",
  properties: {
    id: p.uuid().primary(),
    orderId: p.uuid(),
    /** PaymentState name without prefix: PENDING, AUTHORIZED, CAPTURED, VOIDED, … */
    state: p.text(),
    currencyCode: p.text(),
    amountMinor: p.bigint("number"),
    capturedMinor: p.bigint("number"),
    /** Refunds not FAILED, pending ones included: what may not be refunded again. */
    refundedMinor: p.bigint("number"),
    /** The adapter's name, e.g. "simulator". */
    provider: p.text(),
    /** Sealed: the gateway's payment-intent id, once it answered. */
    providerIntentId: p.text().nullable(),
    /** Sealed: the single-use card token, kept only while an authorization may be resumed. */
    paymentToken: p.text().nullable(),
    /** Sealed: the card's brand. */
    cardBrand: p.text().nullable(),
    /** Sealed: the card's last four digits. */
    cardLast4: p.text().nullable(),
    declineCode: p.text(),
    failureMessage: p.text(),
    createTime: p.datetime(),
    updateTime: p.datetime(),
    authorizeTime: p.datetime().nullable(),
    authorizationExpireTime: p.datetime().nullable(),
    captureTime: p.datetime().nullable(),
    voidTime: p.datetime().nullable(),
  },
});

/** A row of the payment table. */
export type PaymentEntity = InferEntity<typeof PaymentEntity>;
