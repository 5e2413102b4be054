import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { type Consumer, eventStream, startConsumer } from "@marquee/mesh";
import {
  EventCancelledSchema,
  EventPublishedSchema,
  EventUpdatedSchema,
} from "@marquee/proto/marquee/events/v1/events_pb.js";
import type { Redis } from "ioredis";
import type { Inventory } from "../inventory.js";

/**
 * Follows catalog's events: a published event's seats are loaded into Redis at once (so the on-sale's
 * first hold does not pay for it), and an update or cancellation refreshes the cached seating (policy,
 * sales window, state) in this replica; the others see it when their cache revalidates. A cancellation
 * also closes the event's sales, as CloseSales does: catalog has called it before cancelling, so this is
 * a second path, for an event cancelled without it (idempotent, and safe in every replica at once).
 */
export function followCatalog(inventory: Inventory, redis: Redis, consumer: string): Consumer {
  return startConsumer({
    orm: inventory.orm,
    redis,
    stream: eventStream("catalog"),
    group: "inventory",
    consumer,
    logger: inventory.log,
    async handle(envelope) {
      if (!envelope.payload) return;
      const published = anyUnpack(envelope.payload, EventPublishedSchema);
      if (published?.event) {
        await inventory.load(await inventory.seatings.refresh(published.event.eventId));
        return;
      }
      const updated = anyUnpack(envelope.payload, EventUpdatedSchema)?.event?.eventId;
      const cancelled = anyUnpack(envelope.payload, EventCancelledSchema)?.eventId;
      if (cancelled) await inventory.closeSales(cancelled);
      const eventId = updated ?? cancelled;
      if (eventId) await inventory.seatings.refresh(eventId);
    },
  });
}
