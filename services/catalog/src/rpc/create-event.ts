import { randomUUID } from "node:crypto";
import { badRequest, Checker, callerIdOf, defineRpc, invalidArgument } from "@marquee/mesh";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import type { Catalog } from "../catalog.js";
import { canManage } from "../domain/access.js";
import { checkEvent, checkTierSections, eventRequestLimits } from "../domain/event-rules.js";
import { normalizeEvent } from "../domain/normalize-event.js";
import { EventEntity } from "../entities/event.js";
import { eventColumns, toEventMessage } from "../store/events.js";
import { sectionsOf } from "../store/seat-maps.js";
import { findVenue } from "../store/venues.js";

/**
 * CatalogService.CreateEvent: a DRAFT owned by the caller on one of the caller's venues (any venue for an
 * admin). A venue the caller cannot see is an unknown venue: INVALID_ARGUMENT on `event.venue_id`.
 */
export const createEvent = defineRpc(CatalogService.method.createEvent, {
  limits: eventRequestLimits,
  rules(request, check) {
    if (!check.present("event", request.event) || request.event === undefined) return;
    checkEvent(request.event, check, "event");
  },
  handler({ orm }: Catalog) {
    return async (request, call) => {
      if (request.event === undefined) throw invalidArgument("event", "is required"); // checked by createEventRules
      const event = normalizeEvent(request.event);
      const now = new Date();
      const row = await orm.em.fork().transactional(async (tx) => {
        // The share lock keeps the venue from being deleted until the draft that uses it exists.
        const venue = await findVenue(tx, event.venueId, "share");
        if (venue === null || !canManage(call.principal, venue.organizerId)) {
          throw invalidArgument("event.venue_id", "is not a venue of yours");
        }
        const check = new Checker();
        const sections = await sectionsOf(tx, { kind: "venue", id: venue.id });
        checkTierSections(event, new Set(sections.map((section) => section.id)), check);
        if (check.violations.length > 0) throw badRequest(check.violations);
        const created = tx.create(EventEntity, {
          id: randomUUID(),
          organizerId: callerIdOf(call),
          ...eventColumns(event, venue),
          state: "DRAFT",
          cancelReason: "",
          mapVersion: 0,
          createTime: now,
          updateTime: now,
          publishTime: null,
        });
        await tx.flush();
        return created;
      });
      return { event: toEventMessage(row) };
    };
  },
});
