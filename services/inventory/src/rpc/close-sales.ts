import { defineRpc } from "@marquee/mesh";
import { InventoryInternalService } from "@marquee/proto/marquee/inventory/v1/inventory_internal_pb.js";
import type { Inventory } from "../inventory.js";

/**
 * InventoryInternalService.CloseSales: the event's sales close for good, in the ledger's database and in
 * Redis (`Inventory.closeSales`), before it answers; live holds are released. It asks catalog nothing, so
 * catalog may call it from inside the transaction that cancels the event, and an event inventory never
 * loaded (or does not know) is closed all the same: a later load finds the closure and loads it closed.
 */
export const closeSales = defineRpc(InventoryInternalService.method.closeSales, {
  rules(request, check) {
    check.id("event_id", request.eventId);
  },
  handler(inventory: Inventory) {
    return async (request) => {
      const { releasedHolds } = await inventory.closeSales(request.eventId);
      return { releasedHoldCount: releasedHolds };
    };
  },
});
