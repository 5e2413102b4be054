import { type Database, defineValidator, type HandlerOf } from "@marquee/mesh";
import { type CatalogService, GetSeatMapRequestSchema } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { toEventMessage } from "../store/events.js";
import { readableEvent, seatMapOf } from "../store/lookups.js";
import { toSectionSummary } from "../store/messages.js";
import { sectionsOf } from "../store/seat-maps.js";

export const getSeatMapRules = defineValidator(GetSeatMapRequestSchema, (request, check) => {
  if (check.required("event_id", request.eventId)) check.uuid("event_id", request.eventId);
});

/**
 * CatalogService.GetSeatMap: the sections of the map an event sells — frozen once published, the venue's
 * current one while a draft — with capacities, price tiers and bounds.
 */
export function getSeatMap(orm: Database): HandlerOf<typeof CatalogService.method.getSeatMap> {
  return async (request, call) => {
    const em = orm.em.fork();
    const row = await readableEvent(em, call.principal, request.eventId);
    const { priceTiers } = toEventMessage(row);
    const sections = await sectionsOf(em, seatMapOf(row));
    return {
      eventId: row.id,
      sections: sections.map((section) => toSectionSummary(section, priceTiers)),
      priceTiers,
      capacity: sections.reduce((sum, section) => sum + section.capacity, 0),
    };
  };
}
