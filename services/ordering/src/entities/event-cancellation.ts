import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/** An event catalog cancelled, and how far refunding and cancelling its orders has got. */
export const EventCancellationEntity = defineEntity({
  name: "EventCancellation",
  tableName: "event_cancellation",
  properties: {
    eventId: p.uuid().primary(),
    /** The EventCancelled envelope's id. */
    sourceEventId: p.uuid(),
    reason: p.text(),
    cancelTime: p.datetime(),
    /** `REFUNDING` while orders of the event hold tickets or are in checkout, then `DONE`. */
    state: p.text(),
    ordersRefunded: p.integer(),
    ordersCancelled: p.integer(),
    doneTime: p.datetime().nullable(),
  },
});

/** A row of the event_cancellation table. */
export type EventCancellationEntity = InferEntity<typeof EventCancellationEntity>;
