import { defineValidator, type HandlerOf } from "@marquee/mesh";
import {
  type InventoryInternalService,
  LoadEventRequestSchema,
} from "@marquee/proto/marquee/inventory/v1/inventory_internal_pb.js";
import type { Inventory } from "../inventory.js";

export const loadEventRules = defineValidator(LoadEventRequestSchema, (request, check) => {
  if (check.required("event_id", request.eventId)) check.uuid("event_id", request.eventId);
});

/**
 * InventoryInternalService.LoadEvent: the event's seats into Redis with the ledger's sales, unless Redis
 * has them (then nothing changes). Fetches the event from catalog anew, so a republished map is picked up.
 */
export function loadEvent(inventory: Inventory): HandlerOf<typeof InventoryInternalService.method.loadEvent> {
  return async (request) => {
    const seating = await inventory.seatings.refresh(request.eventId);
    const { soldSeatLegs } = await inventory.load(seating);
    return { seatCount: seating.slotCount, soldSeatLegs };
  };
}
