import { defineRpc, failedPrecondition } from "@marquee/mesh";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import type { Catalog } from "../catalog.js";
import { EventEntity } from "../entities/event.js";
import { manageableEvent } from "../store/lookups.js";

/** CatalogService.DeleteEvent: deletes a draft for good; a published event is cancelled instead. */
export const deleteEvent = defineRpc(CatalogService.method.deleteEvent, {
  rules(request, check) {
    check.id("event_id", request.eventId);
  },
  handler({ orm }: Catalog) {
    return async (request, call) => {
      await orm.em.fork().transactional(async (tx) => {
        const event = await manageableEvent(tx, call.principal, request.eventId, true);
        if (event.state !== "DRAFT") {
          throw failedPrecondition(`event ${event.id} is ${event.state.toLowerCase()}: only a draft can be deleted`, [
            {
              type: "NOT_A_DRAFT",
              subject: `event:${event.id}`,
              description: "only drafts are deleted; cancel a published event instead",
            },
          ]);
        }
        await tx.nativeDelete(EventEntity, { id: event.id });
      });
      return {};
    };
  },
});
