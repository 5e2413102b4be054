import { defineRpc } from "@marquee/mesh";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import type { Catalog } from "../catalog.js";
import { toEventMessage } from "../store/events.js";
import { readableEvent } from "../store/lookups.js";

/** CatalogService.GetEvent: a published or cancelled event for anyone, a draft for its organizer or an admin. */
export const getEvent = defineRpc(CatalogService.method.getEvent, {
  rules(request, check) {
    check.id("event_id", request.eventId);
  },
  handler({ orm }: Catalog) {
    return async (request, call) => {
      const event = await readableEvent(orm.em.fork(), call.principal, request.eventId);
      return { event: toEventMessage(event) };
    };
  },
});
