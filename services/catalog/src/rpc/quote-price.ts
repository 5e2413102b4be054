import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  badRequest,
  Checker,
  checkRide,
  defineRpc,
  failedPrecondition,
  type PreconditionViolation,
  resolveRide,
} from "@marquee/mesh";
import { CatalogService, type PriceLineSchema } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { EventKind } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import type { Catalog } from "../catalog.js";
import { FareTable, tierFor } from "../domain/pricing.js";
import { toEventMessage } from "../store/events.js";
import { readableEvent, seatMapOf } from "../store/lookups.js";
import { seatsById, sectionsOf } from "../store/seat-maps.js";

/** Most seats and general-admission lines one quote prices. */
const maxItems = 1000;

/**
 * CatalogService.QuotePrice: what seats or places cost before fees, by the rules ordering prices orders
 * with: an event's seat by the tier naming its section, else its seat class; a trip's by the fare of the
 * ride (the whole route when omitted).
 */
export const quotePrice = defineRpc(CatalogService.method.quotePrice, {
  rules(request, check) {
    check.id("event_id", request.eventId);
    const count = request.seatIds.length + request.places.length;
    check.that("seat_ids", count > 0, "price at least one seat or place");
    check.that("seat_ids", count <= maxItems, `at most ${maxItems} seats and places`);
    request.seatIds.forEach((seatId, i) => {
      check.required(`seat_ids[${i}]`, seatId);
    });
    check.unique("seat_ids", request.seatIds);
    check.each("places", request.places, (place, path) => {
      check.required(`${path}.section_id`, place.sectionId);
      check.range(`${path}.quantity`, place.quantity, 1, 200_000);
    });
    checkRide(check, request.ride);
  },
  handler({ orm }: Catalog) {
    return async (request, call) => {
      const em = orm.em.fork();
      const row = await readableEvent(em, call.principal, request.eventId);
      const event = toEventMessage(row);
      const isTrip = event.kind === EventKind.TRIP;
      const map = seatMapOf(row);
      const check = new Checker();

      const stopIds = event.stops.map((stop) => stop.id);
      const ride = resolveRide(check, stopIds, request.ride);
      const seats = await seatsById(em, map, request.seatIds);
      request.seatIds.forEach((seatId, i) => {
        check.that(`seat_ids[${i}]`, seats.has(seatId), "is not a seat of the event");
      });
      const sections = new Map((await sectionsOf(em, map)).map((section) => [section.id, section]));
      request.places.forEach((place, i) => {
        check.that(
          `places[${i}].section_id`,
          sections.get(place.sectionId)?.isGeneralAdmission === true,
          "is not a general-admission section of the event",
        );
      });
      if (ride === undefined || check.violations.length > 0) throw badRequest(check.violations);

      const fares = new FareTable(event.fares, stopIds);
      const unpriced: PreconditionViolation[] = [];
      const priceOf = (sectionId: string, seatClass: string | undefined) => {
        if (isTrip) return { amount: fares.price(ride, seatClass ?? ""), tierId: "", tierName: seatClass ?? "" };
        const tier = tierFor(event.priceTiers, sectionId, seatClass);
        return { amount: tier?.price?.amountMinor, tierId: tier?.id ?? "", tierName: tier?.name ?? "" };
      };
      const money = (amountMinor: bigint) => ({ currencyCode: event.currencyCode, amountMinor });
      const lines: MessageInitShape<typeof PriceLineSchema>[] = [];
      const items = [
        ...request.seatIds.map((seatId) => {
          const seat = seats.get(seatId);
          const label = seat === undefined ? seatId : seatLabel(seat.rowLabel, seat.label);
          return { seatId, sectionId: seat?.sectionId ?? "", seatClass: seat?.seatClass, quantity: 1, label };
        }),
        ...request.places.map((place) => ({
          seatId: "",
          ...place,
          seatClass: undefined,
          label: sections.get(place.sectionId)?.name ?? place.sectionId,
        })),
      ];
      let total = 0n;
      for (const item of items) {
        const { amount, tierId, tierName } = priceOf(item.sectionId, item.seatClass);
        if (amount === undefined) {
          unpriced.push({
            type: "UNPRICED",
            subject: item.seatId ? `seat:${item.seatId}` : `section:${item.sectionId}`,
            description: "has no price yet",
          });
          continue;
        }
        const subtotal = amount * BigInt(item.quantity);
        total += subtotal;
        lines.push({
          seatId: item.seatId,
          sectionId: item.sectionId,
          quantity: item.quantity,
          priceTierId: tierId,
          unitPrice: money(amount),
          subtotal: money(subtotal),
          seatLabel: item.label,
          sectionName: sections.get(item.sectionId)?.name ?? "",
          priceTierName: tierName,
        });
      }
      if (unpriced.length > 0) throw failedPrecondition("some seats have no price yet", unpriced);
      return { lines, total: money(total) };
    };
  },
});

/** A seat as a ticket prints it: "Row B, Seat 12", or the seat's label alone when it has no row. */
function seatLabel(rowLabel: string, label: string): string {
  return rowLabel === "" ? `Seat ${label}` : `Row ${rowLabel}, Seat ${label}`;
}
