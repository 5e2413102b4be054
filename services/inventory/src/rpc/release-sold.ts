import { badRequest, defineRpc, type FieldViolation, notFound } from "@marquee/mesh";
import { InventoryInternalService } from "@marquee/proto/marquee/inventory/v1/inventory_internal_pb.js";
import type { Inventory } from "../inventory.js";
import { releaseSale } from "../store/ledger.js";
import { mostSeatsPerRequest } from "./request-rules.js";

/**
 * InventoryInternalService.ReleaseSold: an order's sold seats (all, or the seats and GA places named)
 * return to sale, for a refund or a cancelled order — deleted from the ledger, then freed in Redis. Redis
 * remembers an order's released seats, so a retry is told apart from a seat the order never bought, and
 * changes nothing.
 */
export const releaseSold = defineRpc(InventoryInternalService.method.releaseSold, {
  rules(request, check) {
    check.id("event_id", request.eventId);
    check.id("order_id", request.orderId);
    check.that("seat_ids", request.seatIds.length <= mostSeatsPerRequest, `at most ${mostSeatsPerRequest} seats`);
    check.unique("seat_ids", request.seatIds);
    check.each("places", request.places, (place, path) => {
      check.required(`${path}.section_id`, place.sectionId);
      check.range(`${path}.quantity`, place.quantity, 1, mostSeatsPerRequest);
    });
  },
  handler(inventory: Inventory) {
    return async (request) => {
      const seating = await inventory.seatings.get(request.eventId);
      await inventory.snapshot(seating);
      const order = await inventory.store.orderSeats(seating.eventId, request.orderId);
      if (order === undefined) throw notFound("order", request.orderId);
      const violations: FieldViolation[] = [];
      const named = request.seatIds.map((seatId, index) => {
        const slot = seating.indexOf(seatId);
        if (slot === undefined || !order.has(slot)) {
          violations.push({ field: `seat_ids[${index}]`, description: "not a seat this order bought" });
        }
        return slot ?? -1;
      });
      const places = request.places.flatMap((place, index) => {
        const run = seating.placesOf(place.sectionId);
        const stillSold = [...order]
          .filter(
            ([slot, legs]) =>
              legs !== 0 && run && slot >= run.firstSeatIndex && slot < run.firstSeatIndex + run.seatCount,
          )
          .map(([slot]) => slot);
        if (stillSold.length < place.quantity) {
          violations.push({
            field: `places[${index}].quantity`,
            description: `the order holds ${stillSold.length} places of the section`,
          });
        }
        return stillSold.slice(0, place.quantity);
      });
      if (violations.length > 0) throw badRequest(violations);
      const slots = named.length === 0 && places.length === 0 ? [...order.keys()] : [...named, ...places];
      // Ledger first: should Redis fail after it, the seats stay unsellable (never sold twice) until the retry.
      await releaseSale(inventory.orm.em.fork(), {
        eventId: seating.eventId,
        orderId: request.orderId,
        seatIndexes: slots,
      });
      const outcome = await inventory.store.releaseSold(seating.eventId, request.orderId, slots);
      const released = outcome.kind === "ok" ? outcome.released.map((seat) => seat.seatIndex) : [];
      const { seatIds, places: releasedPlaces } = seating.describe(released);
      return { releasedSeatIds: seatIds, releasedPlaces };
    };
  },
});
