import { badRequest, checkRide, defineRpc } from "@marquee/mesh";
import { InventoryService, SeatState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { legsOfRequest } from "../api/ride.js";
import { SlotState, sectionCounts, slotStates } from "../domain/availability.js";
import { legMask } from "../domain/legs.js";
import type { Inventory } from "../inventory.js";

/** The API's seat state of a slot state. */
export const seatStateOf: Record<SlotState, SeatState> = {
  [SlotState.Available]: SeatState.AVAILABLE,
  [SlotState.Held]: SeatState.HELD,
  [SlotState.Sold]: SeatState.SOLD,
};

/**
 * InventoryService.GetAvailability: per-section counts for a ride (and each seat's state when asked),
 * from one consistent read of the event's seat bytes, with the stream position a watcher may resume from.
 * An event on sale that Redis does not have yet is loaded first.
 */
export const getAvailability = defineRpc(InventoryService.method.getAvailability, {
  rules(request, check) {
    if (check.required("event_id", request.eventId)) check.uuid("event_id", request.eventId);
    checkRide(check, request.ride);
    check.unique("section_ids", request.sectionIds);
  },
  handler(inventory: Inventory) {
    return async (request) => {
      const seating = await inventory.seatings.get(request.eventId);
      const legs = legsOfRequest(seating, request.ride);
      const unknown = request.sectionIds.findIndex((sectionId) => !seating.hasSection(sectionId));
      if (unknown >= 0)
        throw badRequest([{ field: `section_ids[${unknown}]`, description: "not a section of this event" }]);
      const snapshot = await inventory.snapshot(seating);
      const states = slotStates(seating, snapshot, legMask(legs.fromLeg, legs.toLeg));
      const wanted = new Set(request.sectionIds);
      const sections = sectionCounts(seating, states).filter((s) => wanted.size === 0 || wanted.has(s.sectionId));
      const seats = [];
      if (request.includeSeats) {
        for (let slot = 0; slot < seating.seatCount; slot++) {
          const section = seating.sections[seating.sectionPositionOf(slot)];
          if (wanted.size > 0 && !wanted.has(section?.sectionId ?? "")) continue;
          seats.push({
            seatId: seating.seatIdAt(slot),
            state: seatStateOf[(states[slot] ?? SlotState.Available) as SlotState],
          });
        }
      }
      return { eventId: seating.eventId, sections, seats, cursor: snapshot.cursor };
    };
  },
});
