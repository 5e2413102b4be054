import { badRequest, callerIdOf, checkRide, defineRpc, describeCall, type FieldViolation } from "@marquee/mesh";
import { InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { toHoldMessage } from "../api/hold-message.js";
import { legsOfRequest } from "../api/ride.js";
import type { PlaceRequest } from "../domain/holds.js";
import type { Inventory } from "../inventory.js";
import { mostSeatsPerRequest } from "./request-rules.js";

/**
 * InventoryService.HoldSeats: the named seats and general-admission places for the caller, all or nothing,
 * for the ride's legs. Seat ids and sections are checked against the event's map before the one atomic
 * script runs, which refuses taken seats (naming them) and the per-user cap.
 */
export const holdSeats = defineRpc(InventoryService.method.holdSeats, {
  rules(request, check) {
    check.id("event_id", request.eventId);
    checkRide(check, request.ride);
    check.that("seat_ids", request.seatIds.length > 0 || request.places.length > 0, "hold at least one seat or place");
    check.that("seat_ids", request.seatIds.length <= mostSeatsPerRequest, `at most ${mostSeatsPerRequest} seats`);
    request.seatIds.forEach((seatId, index) => {
      check.required(`seat_ids[${index}]`, seatId);
    });
    check.unique("seat_ids", request.seatIds);
    check.each("places", request.places, (place, path) => {
      check.required(`${path}.section_id`, place.sectionId);
      check.range(`${path}.quantity`, place.quantity, 1, mostSeatsPerRequest);
    });
    check.unique(
      "places",
      request.places.map((place) => place.sectionId),
    );
  },
  handler(inventory: Inventory) {
    return async (request, call) => {
      const seating = await inventory.sellable(request.eventId);
      const legs = legsOfRequest(seating, request.ride);
      const violations: FieldViolation[] = [];
      const seatIndexes = request.seatIds.map((seatId, index) => {
        const seatIndex = seating.indexOf(seatId);
        if (seatIndex === undefined)
          violations.push({ field: `seat_ids[${index}]`, description: "not a seat of this event" });
        return seatIndex ?? -1;
      });
      const places: PlaceRequest[] = request.places.map((place, index) => {
        const run = seating.placesOf(place.sectionId);
        if (run === undefined) {
          violations.push({
            field: `places[${index}].section_id`,
            description: "not a general-admission section of this event",
          });
        }
        return {
          sectionId: place.sectionId,
          run: run ?? { firstSeatIndex: 0, seatCount: 0 },
          quantity: place.quantity,
        };
      });
      if (violations.length > 0) throw badRequest(violations);
      const userId = callerIdOf(call);
      const requested = seatIndexes.length + places.reduce((sum, place) => sum + place.quantity, 0);
      inventory.checkCap(seating, userId, requested);
      const hold = await inventory.hold(seating, call, () =>
        inventory.store.hold({ eventId: seating.eventId, userId, seatIndexes, places, legs, policy: seating.policy }),
      );
      describeCall({
        "marquee.event.id": seating.eventId,
        "marquee.hold.id": hold.id,
        "marquee.seat.count": requested,
      });
      return { hold: toHoldMessage(seating, hold) };
    };
  },
});
