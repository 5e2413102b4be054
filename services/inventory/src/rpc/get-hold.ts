import { callerIdOf, defineRpc } from "@marquee/mesh";
import { InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { toHoldMessage } from "../api/hold-message.js";
import type { Inventory } from "../inventory.js";
import { checkHoldId } from "./request-rules.js";

/** InventoryService.GetHold: one of the caller's holds; another user's is NOT_FOUND, as if it did not exist. */
export const getHold = defineRpc(InventoryService.method.getHold, {
  rules(request, check) {
    checkHoldId(check, request.holdId);
  },
  handler(inventory: Inventory) {
    return async (request, call) => {
      const { seating, hold } = await inventory.holdOf(request.holdId, callerIdOf(call));
      return { hold: toHoldMessage(seating, hold) };
    };
  },
});
