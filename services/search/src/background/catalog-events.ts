import { anyUnpack } from "@bufbuild/protobuf/wkt";
import {
  Code,
  ConnectError,
  type Consumer,
  type Database,
  eventStream,
  type Logger,
  type MeshClient,
  startConsumer,
} from "@marquee/mesh";
import type { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { EventState } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import type { Envelope } from "@marquee/proto/marquee/events/v1/envelope_pb.js";
import {
  EventCancelledSchema,
  EventPublishedSchema,
  EventUpdatedSchema,
} from "@marquee/proto/marquee/events/v1/events_pb.js";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Redis } from "ioredis";
import { listingOf, removeListing, saveListings } from "../store/listings.js";

/** The consumer group of the search service on every stream it reads. */
export const consumerGroup = "search";

/** What handling catalog's events needs besides the transaction: catalog, for what EventSummary lacks. */
export interface CatalogSource {
  readonly catalog: MeshClient<typeof CatalogService>;
  readonly log: Logger;
}

/**
 * Follows catalog's events. EventSummary lacks a trip's stops (ids, names, times), its fares per leg and
 * an event's price per tier, so a published or updated event is read whole from CatalogService.GetEvent —
 * inside the inbox transaction: should catalog be unreachable (the mesh client already retried), the
 * handler throws, nothing is written, and the entry is delivered again after the consumer's claim delay
 * (5 deliveries, then the dead-letter stream). The event as catalog has it now wins over the envelope's:
 * it is at least as new, so a late EventPublished never undoes a later change, and one cancelled since is
 * not listed.
 */
export function followCatalog(orm: Database, redis: Redis, consumer: string, source: CatalogSource): Consumer {
  return startConsumer({
    orm,
    redis,
    stream: eventStream("catalog"),
    group: consumerGroup,
    consumer,
    logger: source.log,
    handle: (envelope, em) => handleCatalogEvent(envelope, em, source),
  });
}

/** Applies one of catalog's events to the read model; other events are ignored. */
export async function handleCatalogEvent(envelope: Envelope, em: EntityManager, source: CatalogSource): Promise<void> {
  if (!envelope.payload) return;
  const cancelled = anyUnpack(envelope.payload, EventCancelledSchema);
  if (cancelled) {
    await removeListing(em, cancelled.eventId);
    return;
  }
  const changed = anyUnpack(envelope.payload, EventPublishedSchema) ?? anyUnpack(envelope.payload, EventUpdatedSchema);
  const eventId = changed?.event?.eventId;
  if (eventId === undefined) return;
  let event: Awaited<ReturnType<typeof source.catalog.getEvent>>["event"];
  try {
    event = (await source.catalog.getEvent({ eventId })).event;
  } catch (error) {
    // Catalog never deletes a published event, so this is one of another catalog (a stream shared with a
    // stack reset since): nothing to list, and retrying would only move it to the dead letters.
    if (error instanceof ConnectError && error.code === Code.NotFound) {
      source.log.warn({ event_id: eventId, envelope_id: envelope.id }, "catalog has no such event; not listed");
      return;
    }
    throw error;
  }
  if (event === undefined || event.state !== EventState.PUBLISHED) {
    await removeListing(em, eventId);
    return;
  }
  await saveListings(em, [listingOf(event)]);
}
