import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * One event waiting in a service's outbox table: written by `writeEvent` in the transaction of the change
 * it describes, published to Redis by the relay, then deleted. `seq` orders publication.
 */
export const OutboxEntry = defineEntity({
  name: "OutboxEntry",
  tableName: "outbox",
  properties: {
    /** Position in the outbox, taken when the row is inserted; the relay publishes in this order. */
    seq: p.bigint("string").primary().autoincrement(),
    /** The envelope's id, a UUID. */
    id: p.uuid().unique(),
    /** Full name of the payload message, e.g. `marquee.events.v1.EventPublished`. */
    type: p.text(),
    /** Id of the resource the event is about. */
    subject: p.text(),
    /** The `marquee.events.v1.Envelope`, binary, exactly as it is published. */
    envelope: p.uint8array(),
    createdAt: p.datetime().defaultRaw("now()"),
  },
});

/** A row of the outbox table. */
export type OutboxEntry = InferEntity<typeof OutboxEntry>;
