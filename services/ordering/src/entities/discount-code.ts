import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * A discount code of one event, with its uses: `useCount` counts the orders that carry it now, so it
 * rises when an order is created with the code and falls when that order ends unconfirmed. The checks of
 * the table keep it within `maxUses` whatever races.
 */
export const DiscountCodeEntity = defineEntity({
  name: "DiscountCode",
  tableName: "discount_code",
  properties: {
    id: p.uuid().primary(),
    eventId: p.uuid(),
    /** The event's organizer at creation, who manages the code. */
    organizerId: p.text(),
    /** Upper case: codes match ignoring case. */
    code: p.text(),
    /** 1 to 100, or 0 when `amountOffMinor` is set. */
    percentOff: p.integer(),
    currencyCode: p.text(),
    amountOffMinor: p.bigint("bigint"),
    /** 0: no limit. */
    maxUses: p.integer(),
    useCount: p.integer(),
    validUntil: p.datetime().nullable(),
    createTime: p.datetime(),
  },
});

/** A row of the discount_code table. */
export type DiscountCodeEntity = InferEntity<typeof DiscountCodeEntity>;
