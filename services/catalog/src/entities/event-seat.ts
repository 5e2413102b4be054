import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { seatColumns } from "./seat-map-columns.js";

/**
 * A seat of a published event's frozen seat map, copied from its venue at publication and never changed:
 * `seatIndex` is the EventSeat.index inventory keeps seat state by.
 */
export const EventSeatEntity = defineEntity({
  name: "EventSeat",
  tableName: "event_seat",
  properties: { eventId: p.uuid().primary(), ...seatColumns },
});

/** A row of the event_seat table. */
export type EventSeatEntity = InferEntity<typeof EventSeatEntity>;
