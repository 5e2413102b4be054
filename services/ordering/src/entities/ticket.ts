import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import type { StoredRide } from "./order.js";

/** A ticket: one line of a confirmed order, with its signed QR payload and its check-in. */
export const TicketEntity = defineEntity({
  name: "Ticket",
  tableName: "ticket",
  properties: {
    id: p.uuid().primary(),
    orderId: p.uuid(),
    eventId: p.uuid(),
    userId: p.text(),
    line: p.integer(),
    ride: p.json<StoredRide>().nullable(),
    seatId: p.text(),
    seatLabel: p.text(),
    sectionId: p.text(),
    sectionName: p.text(),
    priceTierId: p.text(),
    priceTierName: p.text(),
    attendeeName: p.text(),
    state: p.text(),
    qrPayload: p.text(),
    issueTime: p.datetime(),
    useTime: p.datetime().nullable(),
    /** The scan that checked the ticket in, so that scanner's retry gets the same answer. */
    useScanId: p.text().nullable(),
    voidTime: p.datetime().nullable(),
  },
});

/** A row of the ticket table. */
export type TicketEntity = InferEntity<typeof TicketEntity>;
