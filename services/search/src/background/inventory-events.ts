import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { type Consumer, type Database, eventStream, type Logger, startConsumer } from "@marquee/mesh";
import type { Envelope } from "@marquee/proto/marquee/events/v1/envelope_pb.js";
import { SeatsReleasedSchema, SeatsSoldSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Redis } from "ioredis";
import { recordRelease, recordSale } from "../store/listings.js";
import { consumerGroup } from "./catalog-events.js";

/**
 * Follows inventory's events: SeatsSold takes seats, SeatsReleased (a refund, a cancelled order) gives them
 * back. Holds are not on the stream (they live in Redis), so held seats count as available here —
 * SeatsHeld and HoldExpired change nothing.
 */
export function followInventory(orm: Database, redis: Redis, consumer: string, log: Logger): Consumer {
  return startConsumer({
    orm,
    redis,
    stream: eventStream("inventory"),
    group: consumerGroup,
    consumer,
    logger: log,
    handle: (envelope, em) => handleInventoryEvent(envelope, em),
  });
}

/** Applies one of inventory's events to the read model; other events are ignored. */
export async function handleInventoryEvent(envelope: Envelope, em: EntityManager): Promise<void> {
  if (!envelope.payload) return;
  const sold = anyUnpack(envelope.payload, SeatsSoldSchema);
  if (sold) {
    await recordSale(em, sold);
    return;
  }
  const released = anyUnpack(envelope.payload, SeatsReleasedSchema);
  if (released) await recordRelease(em, released);
}
