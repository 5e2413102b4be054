import { create } from "@bufbuild/protobuf";
import { defineRpc, failedPrecondition, writeEvent } from "@marquee/mesh";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { EventPublishedSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import type { Catalog } from "../catalog.js";
import { publishCandidateOf, publishGaps } from "../domain/readiness.js";
import { eventColumns, toEventMessage } from "../store/events.js";
import { manageableEventWithVenue } from "../store/lookups.js";
import { freezeSeatMap, pricedSectionsOf } from "../store/seat-maps.js";
import { eventSummaryOf } from "../store/summaries.js";

/**
 * CatalogService.PublishEvent: puts a draft on sale. In one transaction: checks that every seat and area
 * (or every leg of a trip) has a price and that the event has not ended, freezes the venue's seat map into
 * the event's own with dense seat indexes, marks it PUBLISHED, and writes EventPublished to the outbox.
 * Publishing a published event returns it unchanged.
 */
export const publishEvent = defineRpc(CatalogService.method.publishEvent, {
  rules(request, check) {
    check.id("event_id", request.eventId);
  },
  handler({ orm }: Catalog) {
    return async (request, call) => {
      const row = await orm.em.fork().transactional(async (tx) => {
        // The venue's share lock holds its map still while it is checked and copied.
        const { event, venue } = await manageableEventWithVenue(tx, call.principal, request.eventId);
        if (event.state === "PUBLISHED") return event;
        if (event.state === "CANCELLED") {
          throw failedPrecondition(`event ${event.id} is cancelled`, [
            {
              type: "EVENT_CANCELLED",
              subject: `event:${event.id}`,
              description: "a cancelled event cannot go on sale",
            },
          ]);
        }
        if (venue === null) throw new Error(`draft ${event.id} uses venue ${event.venueId}, which is gone`);
        const message = toEventMessage(event);
        const sections = await pricedSectionsOf(tx, { kind: "venue", id: venue.id });
        const gaps = publishGaps(publishCandidateOf(message, event.endTime), sections, new Date());
        if (gaps.length > 0) throw failedPrecondition(`event ${event.id} cannot be published yet`, gaps);

        await freezeSeatMap(tx, event.id, venue.id);
        const now = new Date();
        const { venueName, city, capacity } = eventColumns(message, venue);
        Object.assign(event, {
          venueName,
          city,
          capacity,
          state: "PUBLISHED",
          mapVersion: event.mapVersion + 1,
          publishTime: now,
          updateTime: now,
        });
        await tx.flush();
        await writeEvent(tx, {
          source: "catalog",
          subject: event.id,
          schema: EventPublishedSchema,
          payload: create(EventPublishedSchema, {
            event: await eventSummaryOf(tx, event),
            version: BigInt(event.mapVersion),
          }),
        });
        return event;
      });
      return { event: toEventMessage(row) };
    };
  },
});
