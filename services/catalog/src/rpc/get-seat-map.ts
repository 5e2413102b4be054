import { defineRpc } from "@marquee/mesh";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import type { Catalog } from "../catalog.js";
import { toEventMessage } from "../store/events.js";
import { readableEvent, seatMapOf } from "../store/lookups.js";
import { toSectionSummary } from "../store/messages.js";
import { sectionsOf } from "../store/seat-maps.js";

/**
 * CatalogService.GetSeatMap: the sections of the map an event sells — frozen once published, the venue's
 * current one while a draft — with capacities, price tiers and bounds.
 */
export const getSeatMap = defineRpc(CatalogService.method.getSeatMap, {
  rules(request, check) {
    check.id("event_id", request.eventId);
  },
  handler({ orm }: Catalog) {
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
  },
});
