import { defineRpc } from "@marquee/mesh";
import { InventoryInternalService } from "@marquee/proto/marquee/inventory/v1/inventory_internal_pb.js";
import { toHoldMessage } from "../api/hold-message.js";
import type { Inventory } from "../inventory.js";
import { checkHoldId } from "./request-rules.js";

/** InventoryInternalService.ReadHold: any hold by id, for ordering, which checks whose it is itself. */
export const readHold = defineRpc(InventoryInternalService.method.readHold, {
  rules(request, check) {
    checkHoldId(check, request.holdId);
  },
  handler(inventory: Inventory) {
    return async (request) => {
      const { seating, hold } = await inventory.holdOf(request.holdId, undefined);
      return { hold: toHoldMessage(seating, hold) };
    };
  },
});
