import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * One seat sold on one leg to an order: the sold-seat ledger. The primary key (event_id, seat_index, leg)
 * is the unique constraint that is the last guard against selling a seat-leg twice, and the rows are what
 * a rebuild of Redis reads back. An event has one leg, leg 0.
 */
export const SoldSeatEntity = defineEntity({
  name: "SoldSeat",
  tableName: "sold_seat",
  properties: {
    eventId: p.uuid().primary(),
    seatIndex: p.integer().primary(),
    leg: p.integer().columnType("smallint").primary(),
    orderId: p.text(),
    holdId: p.text(),
    userId: p.text(),
    soldAt: p.datetime(),
  },
});

/** A row of the sold_seat table. */
export type SoldSeatEntity = InferEntity<typeof SoldSeatEntity>;
