import { create } from "@bufbuild/protobuf";
import { type Database, defineRpc, failedPrecondition, writeEvent } from "@marquee/mesh";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { EventCancelledSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import { toEventMessage } from "../store/events.js";
import { manageableEvent } from "../store/lookups.js";

/**
 * CatalogService.CancelEvent: calls off a published event and writes EventCancelled to the outbox in the
 * same transaction; ordering refunds its buyers. Cancelling a cancelled event returns it unchanged.
 */
export const cancelEvent = defineRpc(CatalogService.method.cancelEvent, {
  rules(request, check) {
    if (check.required("event_id", request.eventId)) check.uuid("event_id", request.eventId);
    if (check.required("reason", request.reason)) check.maxLength("reason", request.reason, 500);
  },
  handler(orm: Database) {
    return async (request, call) => {
      const row = await orm.em.fork().transactional(async (tx) => {
        const event = await manageableEvent(tx, call.principal, request.eventId, true);
        if (event.state === "CANCELLED") return event;
        if (event.state === "DRAFT") {
          throw failedPrecondition(`event ${event.id} is a draft`, [
            { type: "NOT_PUBLISHED", subject: `event:${event.id}`, description: "a draft is deleted, not cancelled" },
          ]);
        }
        Object.assign(event, { state: "CANCELLED", cancelReason: request.reason, updateTime: new Date() });
        await tx.flush();
        await writeEvent(tx, {
          source: "catalog",
          subject: event.id,
          schema: EventCancelledSchema,
          payload: create(EventCancelledSchema, { eventId: event.id, reason: request.reason }),
        });
        return event;
      });
      return { event: toEventMessage(row) };
    };
  },
});
