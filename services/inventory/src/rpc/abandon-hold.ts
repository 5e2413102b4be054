import { defineRpc } from "@marquee/mesh";
import { InventoryInternalService } from "@marquee/proto/marquee/inventory/v1/inventory_internal_pb.js";
import { changedHold } from "../api/hold-errors.js";
import { toHoldMessage } from "../api/hold-message.js";
import type { Inventory } from "../inventory.js";
import { checkHoldId } from "./request-rules.js";

/**
 * InventoryInternalService.AbandonHold: ReleaseHold for ordering, which ends a buyer's hold when their
 * checkout fails for good and has no buyer's token to call ReleaseHold with. The release script skips its
 * owner check for an internal caller (empty user id); a committed hold is refused there, so a failed
 * checkout can never free seats another order bought.
 */
export const abandonHold = defineRpc(InventoryInternalService.method.abandonHold, {
  rules(request, check) {
    checkHoldId(check, request.holdId);
  },
  handler(inventory: Inventory) {
    return async (request) => {
      const seating = await inventory.seatingOfHold(request.holdId);
      const change = await inventory.store.release(seating.eventId, request.holdId, "");
      return { hold: toHoldMessage(seating, changedHold(seating, request.holdId, change)) };
    };
  },
});
