import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * An event catalog cancelled, from EventCancelled: kept so that an order whose OrderConfirmed arrives
 * after the cancellation (the two come on different streams) still gets its buyer the notice.
 */
export const CancelledEventEntity = defineEntity({
  name: "CancelledEvent",
  tableName: "cancelled_event",
  properties: {
    eventId: p.uuid().primary(),
    /** The envelope id of the EventCancelled: every notice of this cancellation has it as its source. */
    sourceEventId: p.uuid(),
    reason: p.text(),
    cancelTime: p.datetime(),
  },
});

/** A row of the cancelled_event table. */
export type CancelledEventEntity = InferEntity<typeof CancelledEventEntity>;
