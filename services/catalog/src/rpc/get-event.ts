import { type Database, defineValidator, type HandlerOf } from "@marquee/mesh";
import { type CatalogService, GetEventRequestSchema } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { toEventMessage } from "../store/events.js";
import { readableEvent } from "../store/lookups.js";

export const getEventRules = defineValidator(GetEventRequestSchema, (request, check) => {
  if (check.required("event_id", request.eventId)) check.uuid("event_id", request.eventId);
});

/** CatalogService.GetEvent: a published or cancelled event for anyone, a draft for its organizer or an admin. */
export function getEvent(orm: Database): HandlerOf<typeof CatalogService.method.getEvent> {
  return async (request, call) => {
    const event = await readableEvent(orm.em.fork(), call.principal, request.eventId);
    return { event: toEventMessage(event) };
  };
}
