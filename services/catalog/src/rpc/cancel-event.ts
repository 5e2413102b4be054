import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, defineRpc, failedPrecondition, writeEvent } from "@marquee/mesh";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { EventCancelledSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import type { Catalog } from "../catalog.js";
import { toEventMessage } from "../store/events.js";
import { manageableEvent } from "../store/lookups.js";

/**
 * CatalogService.CancelEvent: calls off a published event and writes EventCancelled to the outbox in the
 * same transaction; ordering refunds its buyers. Sales stop first: inventory's CloseSales is called with
 * the event's row locked, before the transaction commits, so once this answers no hold or sale of the
 * event can happen, and when inventory cannot close them the transaction rolls back and the event stays
 * PUBLISHED (UNAVAILABLE: call again; CloseSales is idempotent). A cancelled event is closed again too and
 * returned unchanged, which repairs one cancelled without it.
 */
export const cancelEvent = defineRpc(CatalogService.method.cancelEvent, {
  rules(request, check) {
    check.id("event_id", request.eventId);
    if (check.required("reason", request.reason)) check.maxLength("reason", request.reason, 500);
  },
  handler({ orm, inventory }: Catalog) {
    return async (request, call) => {
      const row = await orm.em.fork().transactional(async (tx) => {
        const event = await manageableEvent(tx, call.principal, request.eventId, true);
        if (event.state === "DRAFT") {
          throw failedPrecondition(`event ${event.id} is a draft`, [
            { type: "NOT_PUBLISHED", subject: `event:${event.id}`, description: "a draft is deleted, not cancelled" },
          ]);
        }
        await closeSales(inventory, event.id);
        if (event.state === "CANCELLED") return event;
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

/** Inventory's CloseSales; its failure as this call's, saying that nothing changed. */
async function closeSales(inventory: Catalog["inventory"], eventId: string): Promise<void> {
  try {
    await inventory.closeSales({ eventId });
  } catch (error) {
    if (!(error instanceof ConnectError)) throw error;
    const code = error.code === Code.DeadlineExceeded ? Code.DeadlineExceeded : Code.Unavailable;
    throw new ConnectError(
      `inventory could not close the event's sales (${error.rawMessage}); the event is unchanged, retry`,
      code,
      undefined,
      undefined,
      error,
    );
  }
}
