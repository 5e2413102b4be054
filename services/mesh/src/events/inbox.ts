import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * One event a consumer group of this service has handled. The consumer inserts it in the handler's
 * transaction, so an event delivered twice (a relay retry, a reclaimed entry) takes effect once.
 */
export const InboxEntry = defineEntity({
  name: "InboxEntry",
  tableName: "inbox",
  properties: {
    /** The Redis consumer group that handled the event; groups of one service keep separate inboxes. */
    consumerGroup: p.text().primary(),
    /** The envelope's id. */
    eventId: p.uuid().primary(),
    handledAt: p.datetime().defaultRaw("now()"),
  },
});

/** A row of the inbox table. */
export type InboxEntry = InferEntity<typeof InboxEntry>;
