import { create } from "@bufbuild/protobuf";
import { badRequest, defineRpc, type FieldViolation, notFound, writeEvent } from "@marquee/mesh";
import { SeatsReleasedSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import { InventoryInternalService } from "@marquee/proto/marquee/inventory/v1/inventory_internal_pb.js";
import { rideOfLegs } from "../api/ride.js";
import type { Inventory } from "../inventory.js";
import { releaseSale } from "../store/ledger.js";
import { mostSeatsPerRequest } from "./request-rules.js";

/**
 * InventoryInternalService.ReleaseSold: an order's sold seats (all, or the seats and GA places named)
 * return to sale, for a refund or a cancelled order — deleted from the ledger with SeatsReleased in the same
 * transaction (read models such as search count them free again), then freed in Redis. Redis remembers an
 * order's released seats, so a retry is told apart from a seat the order never bought, and changes nothing;
 * the ledger has nothing left to delete then, so a retry writes no second SeatsReleased.
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
      // Counted before Redis frees anything: the released seats are added below, as they will be free.
      const availableBefore = await inventory.availableOnWholeRoute(seating);
      await inventory.orm.em.fork().transactional(async (em) => {
        const deleted = await releaseSale(em, {
          eventId: seating.eventId,
          orderId: request.orderId,
          seatIndexes: slots,
        });
        if (deleted.length === 0) return;
        const legsOf = new Map<number, number>();
        for (const { seatIndex } of deleted) legsOf.set(seatIndex, (legsOf.get(seatIndex) ?? 0) + 1);
        const legs = {
          fromLeg: Math.min(...deleted.map((row) => row.leg)),
          toLeg: Math.max(...deleted.map((row) => row.leg)) + 1,
        };
        const { seatIds, places } = seating.describe([...legsOf.keys()]);
        const ride = rideOfLegs(seating, legs);
        // A seat is free on the whole route again only when the order held it on every leg.
        const wholeRouteFreed = [...legsOf.values()].filter((count) => count === seating.legCount).length;
        await writeEvent(em, {
          source: "inventory",
          subject: seating.eventId,
          schema: SeatsReleasedSchema,
          payload: create(SeatsReleasedSchema, {
            eventId: seating.eventId,
            orderId: request.orderId,
            ...(ride ? { ride } : {}),
            seatIds,
            placeCount: places.reduce((sum, place) => sum + place.quantity, 0),
            availableAfter: availableBefore + wholeRouteFreed,
          }),
        });
      });
      const outcome = await inventory.store.releaseSold(seating.eventId, request.orderId, slots);
      const released = outcome.kind === "ok" ? outcome.released.map((seat) => seat.seatIndex) : [];
      const { seatIds, places: releasedPlaces } = seating.describe(released);
      return { releasedSeatIds: seatIds, releasedPlaces };
    };
  },
});
