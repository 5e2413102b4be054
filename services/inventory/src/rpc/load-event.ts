import { defineRpc } from "@marquee/mesh";
import { InventoryInternalService } from "@marquee/proto/marquee/inventory/v1/inventory_internal_pb.js";
import type { Inventory } from "../inventory.js";

/**
 * InventoryInternalService.LoadEvent: the event's seats into Redis with the ledger's sales, unless Redis
 * has them (then nothing changes). Fetches the event from catalog anew, so a republished map is picked up.
 */
export const loadEvent = defineRpc(InventoryInternalService.method.loadEvent, {
  rules(request, check) {
    check.id("event_id", request.eventId);
  },
  handler(inventory: Inventory) {
    return async (request) => {
      const seating = await inventory.seatings.refresh(request.eventId);
      const { soldSeatLegs } = await inventory.load(seating);
      return { seatCount: seating.slotCount, soldSeatLegs };
    };
  },
});
