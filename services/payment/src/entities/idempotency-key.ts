import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * An idempotency key of a calling service, kept for the life of its payment: which operation it named,
 * a hash of that request, and what it made. The primary key (caller, key) makes a key name one request;
 * partial unique indexes make a payment have one authorization key and one capture key, and a refund
 * one key (see the migration).
 */
export const IdempotencyKeyEntity = defineEntity({
  name: "IdempotencyKey",
  tableName: "idempotency_key",
  properties: {
    /** The token's subject, e.g. `svc:ordering`: keys belong to the calling service. */
    caller: p.text().primary(),
    key: p.text().primary(),
    /** AUTHORIZE, CAPTURE or REFUND. */
    operation: p.text(),
    /** SHA-256 of the request's canonical form (`requestHashOf`). */
    requestHash: p.text(),
    paymentId: p.uuid(),
    refundId: p.uuid().nullable(),
    createTime: p.datetime(),
  },
});

/** A row of the idempotency_key table. */
export type IdempotencyKeyEntity = InferEntity<typeof IdempotencyKeyEntity>;
