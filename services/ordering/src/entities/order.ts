import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * An order and where its checkout saga stands (`sagaStep`), so a process killed mid-saga resumes it. Money
 * in minor units of `currencyCode`; line items and the buyer as the API shows them (JSON).
 */
export const OrderEntity = defineEntity({
  name: "Order",
  tableName: "order",
  properties: {
    id: p.uuid().primary(),
    userId: p.text(),
    eventId: p.uuid(),
    /** The event's organizer at purchase, who may read and refund the order. */
    organizerId: p.text(),
    holdId: p.text(),
    ride: p.json<StoredRide>().nullable(),
    /** An OrderState name without its prefix, e.g. `PENDING`. */
    state: p.text(),
    /** What the checkout saga does next: `AUTHORIZE`, `COMMIT`, `CAPTURE`, `COMPENSATE`, or `DONE`. */
    sagaStep: p.text(),
    lineItems: p.json<StoredLineItem[]>(),
    currencyCode: p.text(),
    subtotalMinor: p.bigint("bigint"),
    feesMinor: p.bigint("bigint"),
    totalMinor: p.bigint("bigint"),
    /** The discount code whose use the order holds, until it ends unconfirmed. */
    discountCodeId: p.uuid().nullable(),
    /** The code as applied (upper case); empty without one. */
    discountCode: p.text(),
    discountMinor: p.bigint("bigint"),
    buyer: p.json<StoredBuyer>(),
    /** The card token until the authorization is made; cleared then. */
    paymentMethodToken: p.text().nullable(),
    paymentId: p.text(),
    cardBrand: p.text(),
    cardLast4: p.text(),
    /** An OrderFailureReason name without its prefix, or empty. */
    failureReason: p.text(),
    failureMessage: p.text(),
    declineCode: p.text(),
    idempotencyKey: p.text(),
    requestFingerprint: p.text(),
    /** The run of the saga that holds the lease, so it can renew it between steps. */
    leaseOwner: p.text().nullable(),
    /** Until when one runner owns the saga; a crashed runner's lease lapses and the resumer takes over. */
    leaseUntil: p.datetime().nullable(),
    attempts: p.integer(),
    /** The code that made the saga's last step wait, as connect names it (`Unavailable`); empty before any. */
    lastErrorCode: p.text(),
    expireTime: p.datetime(),
    createTime: p.datetime(),
    updateTime: p.datetime(),
    confirmTime: p.datetime().nullable(),
    cancelTime: p.datetime().nullable(),
  },
});

/** A row of the order table. */
export type OrderEntity = InferEntity<typeof OrderEntity>;

export interface StoredRide {
  readonly boardingStopId: string;
  readonly alightingStopId: string;
}

export interface StoredBuyer {
  readonly name: string;
  readonly email: string;
  readonly phone: string;
}

/** One ticket's worth of an order, as priced at checkout. */
export interface StoredLineItem {
  readonly seatId: string;
  readonly seatLabel: string;
  readonly sectionId: string;
  readonly sectionName: string;
  readonly priceTierId: string;
  readonly priceTierName: string;
  /** Minor units, as decimal strings: JSON has no 64-bit integers. */
  readonly priceMinor: string;
  readonly feeMinor: string;
  /** Taken off the catalog price by the discount code; `priceMinor` is what it left. */
  readonly discountMinor: string;
  readonly attendeeName: string;
}
