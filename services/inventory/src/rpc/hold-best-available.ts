import { badRequest, callerIdOf, checkRide, defineRpc } from "@marquee/mesh";
import { InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { holdRefused } from "../api/hold-errors.js";
import { toHoldMessage } from "../api/hold-message.js";
import { legsOfRequest } from "../api/ride.js";
import type { Inventory } from "../inventory.js";
import { mostSeatsPerRequest } from "./request-rules.js";

/**
 * InventoryService.HoldBestAvailable: `quantity` seats chosen inside the hold script — adjacent in the
 * front-most row of the section, class or tier that has them, else (unless adjacency is required) the
 * front-most free ones. Naming a general-admission section holds that many of its places.
 */
export const holdBestAvailable = defineRpc(InventoryService.method.holdBestAvailable, {
  rules(request, check) {
    check.id("event_id", request.eventId);
    checkRide(check, request.ride);
    check.range("quantity", request.quantity, 1, mostSeatsPerRequest);
  },
  handler(inventory: Inventory) {
    return async (request, call) => {
      const seating = await inventory.sellable(request.eventId);
      const legs = legsOfRequest(seating, request.ride);
      const unknown = [
        request.sectionId !== "" && !seating.hasSection(request.sectionId) && "section_id",
        request.seatClass !== "" && !seating.hasSeatClass(request.seatClass) && "seat_class",
        request.priceTierId !== "" && !seating.hasPriceTier(request.priceTierId) && "price_tier_id",
      ].filter((field) => field !== false);
      if (unknown.length > 0)
        throw badRequest(unknown.map((field) => ({ field, description: "not on this event's map" })));
      const userId = callerIdOf(call);
      inventory.checkCap(seating, userId, request.quantity);
      const places = seating.placesOf(request.sectionId);
      const filtered = request.sectionId !== "" || request.seatClass !== "" || request.priceTierId !== "";
      const runs = filtered ? seating.runsWhere(request) : seating.rows;
      if (places === undefined && runs.length === 0) throw holdRefused(seating, userId, { kind: "no-seats-free" });
      const base = { eventId: seating.eventId, userId, legs, policy: seating.policy };
      const hold = await inventory.hold(seating, call, () =>
        places !== undefined
          ? inventory.store.hold({
              ...base,
              seatIndexes: [],
              places: [{ sectionId: request.sectionId, run: places, quantity: request.quantity }],
            })
          : inventory.store.holdBestAvailable({
              ...base,
              quantity: request.quantity,
              requireAdjacent: request.requireAdjacent,
              ...(filtered ? { withinRuns: runs } : {}),
            }),
      );
      return { hold: toHoldMessage(seating, hold) };
    };
  },
});
