import { callerIdOf, defineRpc } from "@marquee/mesh";
import { InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { changedHold } from "../api/hold-errors.js";
import { toHoldMessage } from "../api/hold-message.js";
import type { Inventory } from "../inventory.js";
import { checkHoldId } from "./request-rules.js";

/**
 * InventoryService.ReleaseHold: the caller's hold ends and its seats are free at once. Releasing a
 * released or expired hold answers it unchanged, so a retry is harmless; a committed hold stays sold.
 */
export const releaseHold = defineRpc(InventoryService.method.releaseHold, {
  rules(request, check) {
    checkHoldId(check, request.holdId);
  },
  handler(inventory: Inventory) {
    return async (request, call) => {
      const userId = callerIdOf(call);
      const seating = await inventory.seatingOfHold(request.holdId);
      const change = await inventory.store.release(seating.eventId, request.holdId, userId);
      return { hold: toHoldMessage(seating, changedHold(seating, request.holdId, change)) };
    };
  },
});
