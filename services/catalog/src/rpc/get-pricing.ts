import { defineRpc } from "@marquee/mesh";
import { CatalogInternalService } from "@marquee/proto/marquee/catalog/v1/catalog_internal_pb.js";
import type { Catalog } from "../catalog.js";
import { toEventMessage } from "../store/events.js";
import { soldEvent } from "../store/lookups.js";

/** CatalogInternalService.GetPricing: a published event's price tiers and fares as they are now. */
export const getPricing = defineRpc(CatalogInternalService.method.getPricing, {
  rules(request, check) {
    check.id("event_id", request.eventId);
  },
  handler({ orm }: Catalog) {
    return async (request) => {
      const event = toEventMessage(await soldEvent(orm.em.fork(), request.eventId));
      return {
        eventId: event.id,
        currencyCode: event.currencyCode,
        priceTiers: event.priceTiers,
        fares: event.fares,
        stopIds: event.stops.map((stop) => stop.id),
      };
    };
  },
});
