import { callerIdOf, defineRpc } from "@marquee/mesh";
import { InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { changedHold } from "../api/hold-errors.js";
import { toHoldMessage } from "../api/hold-message.js";
import type { Inventory } from "../inventory.js";
import { checkHoldId } from "./request-rules.js";

/**
 * InventoryService.ExtendHold: one more hold duration for a live hold of the caller, while extensions are
 * left. The script checks liveness against Redis's clock, so a hold past expiry cannot be revived.
 */
export const extendHold = defineRpc(InventoryService.method.extendHold, {
  rules(request, check) {
    checkHoldId(check, request.holdId);
  },
  handler(inventory: Inventory) {
    return async (request, call) => {
      const userId = callerIdOf(call);
      const seating = await inventory.seatingOfHold(request.holdId);
      const change = await inventory.store.extend(seating.eventId, request.holdId, userId, seating.policy.holdTtlMs);
      return { hold: toHoldMessage(seating, changedHold(seating, request.holdId, change)) };
    };
  },
});
