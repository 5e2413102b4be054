import { defineValidator, type HandlerOf } from "@marquee/mesh";
import { GetHoldRequestSchema, type InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { toHoldMessage } from "../api/hold-message.js";
import type { Inventory } from "../inventory.js";
import { checkHoldId } from "./request-rules.js";

export const getHoldRules = defineValidator(GetHoldRequestSchema, (request, check) => {
  checkHoldId(check, request.holdId);
});

/** InventoryService.GetHold: one of the caller's holds; another user's is NOT_FOUND, as if it did not exist. */
export function getHold(inventory: Inventory): HandlerOf<typeof InventoryService.method.getHold> {
  return async (request, call) => {
    const { seating, hold } = await inventory.holdOf(request.holdId, inventory.callerOf(call));
    return { hold: toHoldMessage(seating, hold) };
  };
}
