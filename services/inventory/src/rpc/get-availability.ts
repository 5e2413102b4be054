import { badRequest, checkRide, decodePageToken, defineRpc, encodePageToken, isIndex, pageSizeOf } from "@marquee/mesh";
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

/** Seats per page of GetAvailability: as many as a WatchAvailability snapshot message carries at most. */
const pageSize = { default: 5000, max: 20_000 } as const;

/**
 * InventoryService.GetAvailability: per-section counts for a ride (and a page of the seats' states when
 * asked), from one consistent read of the event's seat bytes, with the stream position a watcher may
 * resume from. Pages are keyed by seat index and tied to the ride and sections. An event on sale that
 * Redis does not have yet is loaded first.
 */
export const getAvailability = defineRpc(InventoryService.method.getAvailability, {
  rules(request, check) {
    check.id("event_id", request.eventId);
    checkRide(check, request.ride);
    check.unique("section_ids", request.sectionIds);
    check.that("page_size", request.pageSize >= 0, "must not be negative");
  },
  handler(inventory: Inventory) {
    return async (request) => {
      const seating = await inventory.seatings.get(request.eventId);
      const legs = legsOfRequest(seating, request.ride);
      const unknown = request.sectionIds.findIndex((sectionId) => !seating.hasSection(sectionId));
      if (unknown >= 0)
        throw badRequest([{ field: `section_ids[${unknown}]`, description: "not a section of this event" }]);
      const filters = {
        event: seating.eventId,
        legs: [legs.fromLeg, legs.toLeg],
        sections: request.sectionIds,
        seats: request.includeSeats,
      };
      const fromIndex = decodePageToken("availability", filters, request.pageToken, isIndex) ?? 0;
      const snapshot = await inventory.snapshot(seating);
      const states = slotStates(seating, snapshot, legMask(legs.fromLeg, legs.toLeg));
      const wanted = new Set(request.sectionIds);
      const sections = sectionCounts(seating, states).filter((s) => wanted.size === 0 || wanted.has(s.sectionId));
      const seats = [];
      let nextPageToken = "";
      if (request.includeSeats) {
        const limit = pageSizeOf(request.pageSize, pageSize);
        for (let slot = fromIndex; slot < seating.seatCount; slot++) {
          const section = seating.sections[seating.sectionPositionOf(slot)];
          if (wanted.size > 0 && !wanted.has(section?.sectionId ?? "")) continue;
          if (seats.length === limit) {
            nextPageToken = encodePageToken("availability", filters, slot);
            break;
          }
          seats.push({
            seatId: seating.seatIdAt(slot),
            state: seatStateOf[(states[slot] ?? SlotState.Available) as SlotState],
          });
        }
      }
      return { eventId: seating.eventId, sections, seats, cursor: snapshot.cursor, nextPageToken };
    };
  },
});
