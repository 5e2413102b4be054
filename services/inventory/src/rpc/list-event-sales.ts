import { create } from "@bufbuild/protobuf";
import { decodePageToken, defineRpc, encodePageToken, pageSizeOf } from "@marquee/mesh";
import { RideSchema } from "@marquee/proto/marquee/api/v1/ride_pb.js";
import {
  InventoryInternalService,
  type OrderSales,
  OrderSalesSchema,
  type SoldSeat,
  SoldSeatSchema,
} from "@marquee/proto/marquee/inventory/v1/inventory_internal_pb.js";
import { IsolationLevel } from "@mikro-orm/core";
import { rideOfLegs } from "../api/ride.js";
import type { Seating } from "../domain/seating.js";
import type { Inventory } from "../inventory.js";

/** Orders per page. */
const pageSize = { default: 100, max: 1000 } as const;

/**
 * Seat-legs past which a page ends early (AIP-158 lets a page be short): 1,000 orders of 100 seats on a
 * 32-leg train would be millions of rows, and 20,000 seat entries stay well under the 4 MiB message limit.
 */
const mostSeatLegsPerPage = 20_000;

/**
 * InventoryInternalService.ListEventSales: the sold-seat ledger of an event, order by order, for ordering's
 * reconciliation of its tickets against it. Both reads of a page (the counts that choose its orders, then
 * those orders' rows) see one snapshot, so a ReleaseSold in between cannot make a count disagree with the
 * seats listed beside it. Pages are keyed by order id: the rows of the orders between a page's first and
 * last id are exactly that page's orders' rows.
 */
export const listEventSales = defineRpc(InventoryInternalService.method.listEventSales, {
  rules(request, check) {
    check.id("event_id", request.eventId);
    check.that("page_size", request.pageSize >= 0, "must not be negative");
  },
  handler(inventory: Inventory) {
    return async (request) => {
      const after = decodePageToken("event-sales", request.eventId, request.pageToken, isOrderId) ?? "";
      const seating = await inventory.seatings.get(request.eventId);
      const limit = pageSizeOf(request.pageSize, pageSize);
      const read = await inventory.orm.em.fork().transactional(
        async (em) => {
          const counts = await em.execute<{ order_id: string; seat_legs: number }[]>(
            `select order_id, count(*)::int as seat_legs from sold_seat
             where event_id = ? and order_id > ?
             group by order_id order by order_id limit ?`,
            [seating.eventId, after, limit + 1],
          );
          const page: { order_id: string; seat_legs: number }[] = [];
          let seatLegs = 0;
          for (const order of counts.slice(0, limit)) {
            if (page.length > 0 && seatLegs + order.seat_legs > mostSeatLegsPerPage) break;
            page.push(order);
            seatLegs += order.seat_legs;
          }
          const first = page[0]?.order_id;
          const last = page.at(-1)?.order_id;
          if (first === undefined || last === undefined) return { page, rows: [], isLast: true };
          const rows = await em.execute<{ order_id: string; seat_index: number; leg: number }[]>(
            `select order_id, seat_index, leg from sold_seat
             where event_id = ? and order_id >= ? and order_id <= ?
             order by order_id, seat_index, leg`,
            [seating.eventId, first, last],
          );
          return { page, rows, isLast: counts.length === page.length };
        },
        { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
      );
      const rowsOf = Map.groupBy(read.rows, (row) => row.order_id);
      const orderSales: OrderSales[] = read.page.map((order) =>
        create(OrderSalesSchema, {
          orderId: order.order_id,
          seatLegs: order.seat_legs,
          soldSeats: soldSeatsOf(seating, rowsOf.get(order.order_id) ?? []),
        }),
      );
      const last = read.page.at(-1)?.order_id;
      return {
        orderSales,
        nextPageToken: read.isLast || last === undefined ? "" : encodePageToken("event-sales", request.eventId, last),
      };
    };
  },
});

/**
 * One order's rows (by seat, then leg) as SoldSeats: one per seat and run of consecutive legs, so a sale
 * is one entry and a ride with a leg missing from the ledger shows as two.
 */
function soldSeatsOf(seating: Seating, rows: readonly { seat_index: number; leg: number }[]): SoldSeat[] {
  const seats: SoldSeat[] = [];
  let run: { seatIndex: number; fromLeg: number; toLeg: number } | undefined;
  const flush = () => {
    if (run === undefined) return;
    const ride = rideOfLegs(seating, { fromLeg: run.fromLeg, toLeg: run.toLeg });
    seats.push(
      create(SoldSeatSchema, {
        ...placeOf(seating, run.seatIndex),
        ...(ride ? { ride: create(RideSchema, ride) } : {}),
      }),
    );
  };
  for (const row of rows) {
    const seatIndex = Number(row.seat_index);
    const leg = Number(row.leg);
    if (run !== undefined && run.seatIndex === seatIndex && run.toLeg === leg) {
      run.toLeg = leg + 1;
      continue;
    }
    flush();
    run = { seatIndex, fromLeg: leg, toLeg: leg + 1 };
  }
  flush();
  return seats;
}

/** The seat id and section of a slot: a GA place has only its section; a slot off the map has neither. */
function placeOf(seating: Seating, slot: number): { seatId: string; sectionId: string } {
  if (slot >= seating.slotCount) return { seatId: "", sectionId: "" };
  const sectionId = seating.sections[seating.sectionPositionOf(slot)]?.sectionId ?? "";
  return { seatId: slot < seating.seatCount ? seating.seatIdAt(slot) : "", sectionId };
}

/** A position of this list: the last order id served (any non-empty text: the ledger's order_id is text). */
function isOrderId(position: unknown): position is string {
  return typeof position === "string" && position.length > 0;
}
