import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * A gateway webhook event that took effect, by the gateway's event id: the gateway retries deliveries
 * with the same id, and each takes effect once, in the transaction that records it here.
 */
export const WebhookEventEntity = defineEntity({
  name: "WebhookEvent",
  tableName: "webhook_event",
  properties: {
    provider: p.text().primary(),
    eventId: p.text().primary(),
    type: p.text(),
    receiveTime: p.datetime(),
  },
});

/** A row of the webhook_event table. */
export type WebhookEventEntity = InferEntity<typeof WebhookEventEntity>;
