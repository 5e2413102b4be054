import { create } from "@bufbuild/protobuf";
import { badRequest, Checker, defineRpc, failedPrecondition, invalidArgument, writeEvent } from "@marquee/mesh";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { EventUpdatedSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import type { Catalog } from "../catalog.js";
import { canManage } from "../domain/access.js";
import { checkEvent, checkTierSections, eventRequestLimits } from "../domain/event-rules.js";
import { changedFields, editableAfterPublication, mergeEvent, updatableFields } from "../domain/event-update.js";
import { normalizeEvent } from "../domain/normalize-event.js";
import { publishCandidateOf, publishGaps } from "../domain/readiness.js";
import { eventColumns, toEventMessage, type VenueFacts } from "../store/events.js";
import { manageableEventWithVenue, seatMapOf } from "../store/lookups.js";
import { pricedSectionsOf, type SeatMapOwner } from "../store/seat-maps.js";
import { eventSummaryOf } from "../store/summaries.js";
import { findVenue } from "../store/venues.js";

/** The fields an update names: those of its mask, or every field a draft may change for an empty mask. */
function fieldsOf(paths: readonly string[] | undefined): readonly string[] {
  return paths === undefined || paths.length === 0 ? updatableFields : [...new Set(paths)];
}

/**
 * CatalogService.UpdateEvent: changes the fields of the mask. The result is checked whole, as CreateEvent
 * checks (INVALID_ARGUMENT). A published event keeps its venue, route, times and category
 * (FAILED_PRECONDITION naming each field that would change) and must stay fully priced; its changes are
 * announced with EventUpdated. A cancelled event does not change.
 */
export const updateEvent = defineRpc(CatalogService.method.updateEvent, {
  limits: eventRequestLimits,
  rules(request, check) {
    if (!check.present("event", request.event) || request.event === undefined) return;
    check.id("event.id", request.event.id);
    (request.updateMask?.paths ?? []).forEach((path, i) => {
      if (path === "kind") {
        check.that(`update_mask.paths[${i}]`, false, "the kind of an event cannot change");
        return;
      }
      check.that(
        `update_mask.paths[${i}]`,
        (updatableFields as readonly string[]).includes(path),
        `must be one of ${updatableFields.join(", ")}`,
      );
    });
  },
  handler({ orm }: Catalog) {
    return async (request, call) => {
      const patch = request.event;
      if (patch === undefined) throw invalidArgument("event", "is required"); // checked by updateEventRules
      const fields = fieldsOf(request.updateMask?.paths);
      const row = await orm.em.fork().transactional(async (tx) => {
        const { event: stored } = await manageableEventWithVenue(tx, call.principal, patch.id);
        if (stored.state === "CANCELLED") {
          throw failedPrecondition(`event ${stored.id} is cancelled`, [
            { type: "EVENT_CANCELLED", subject: `event:${stored.id}`, description: "a cancelled event cannot change" },
          ]);
        }
        const isPublished = stored.state === "PUBLISHED";
        const current = toEventMessage(stored);
        const merged = mergeEvent(current, patch, fields);
        const check = new Checker();
        checkEvent(merged, check, "event");
        if (check.violations.length > 0) throw badRequest(check.violations);
        const updated = normalizeEvent(merged);
        const changed = changedFields(current, updated, fields);

        if (isPublished) {
          const frozen = changed.filter((field) => !editableAfterPublication.has(field));
          if (frozen.length > 0) {
            throw failedPrecondition(
              `event ${stored.id} is published: ${frozen.join(", ")} cannot change`,
              frozen.map((field) => ({
                type: "FROZEN_AT_PUBLICATION",
                subject: `event.${field}`,
                description: `${field} cannot change once the event is published`,
              })),
            );
          }
        }

        // What the event sells and shows of its venue: a draft's (possibly new) venue, a published event's frozen map.
        let map: SeatMapOwner = seatMapOf(stored);
        let venue: VenueFacts = { name: stored.venueName, city: stored.city, capacity: stored.capacity };
        if (!isPublished) {
          const found = await findVenue(tx, updated.venueId, "share");
          if (found === null || !canManage(call.principal, found.organizerId)) {
            throw invalidArgument("event.venue_id", "is not a venue of yours");
          }
          map = { kind: "venue", id: found.id };
          venue = found;
        }
        const sections = await pricedSectionsOf(tx, map);
        checkTierSections(updated, new Set(sections.map((section) => section.id)), check, "event");
        if (check.violations.length > 0) throw badRequest(check.violations);
        if (isPublished) {
          // Whether it has ended is for publishing to ask; here only prices matter.
          const gaps = publishGaps(publishCandidateOf(updated, stored.endTime), sections, new Date()).filter(
            (gap) => gap.type !== "EVENT_ENDED",
          );
          if (gaps.length > 0) throw failedPrecondition("a published event must keep a price for every seat", gaps);
        }

        if (changed.length === 0) return stored;
        Object.assign(stored, eventColumns(updated, venue), { updateTime: new Date() });
        await tx.flush();
        if (isPublished) {
          await writeEvent(tx, {
            source: "catalog",
            subject: stored.id,
            schema: EventUpdatedSchema,
            payload: create(EventUpdatedSchema, { event: await eventSummaryOf(tx, stored), changedFields: changed }),
          });
        }
        return stored;
      });
      return { event: toEventMessage(row) };
    };
  },
});
