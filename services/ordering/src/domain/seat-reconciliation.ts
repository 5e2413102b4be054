import { timestampDate } from "@bufbuild/protobuf/wkt";
import { type Database, isLegRange, legsOfRide, type MeshClient } from "@marquee/mesh";
import type { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import type {
  InventoryInternalService,
  OrderSales,
} from "@marquee/proto/marquee/inventory/v1/inventory_internal_pb.js";
import type { StoredRide } from "../entities/index.js";
import { inSnapshot } from "../store/sales.js";
import type { Discrepancy } from "./reconciliation.js";

/**
 * Ordering's tickets against inventory's sold-seat ledger (ListEventSales), event by event, seat-leg by
 * seat-leg: every sold seat-leg has exactly one valid ticket of a confirmed order, and every confirmed
 * order's seat-legs are sold. A ticket is valid while it is ISSUED or USED and its order CONFIRMED or
 * PARTIALLY_REFUNDED; it covers its seat (a general-admission ticket: a place of its section) on each leg
 * of its ride. Per order, the ledger must sell every seat-leg of its valid tickets and nothing else, but
 * for the seat-legs of voided tickets whose release may not have happened: a refund whose seats are not
 * yet back on sale (the refund follower is on it), or an event that has started, whose refunded seats
 * stay sold (refunds.ts). No seat may be on two valid tickets. PENDING orders are in flight and skipped,
 * what the ledger says of them too.
 *
 * Ordering is read first, then the ledger: a checkout confirmed meanwhile was PENDING when read and is
 * skipped. A refund made between the two reads can show as a false finding, so the check is meant for a
 * quiet stack (the benchmark and the tests run it after their load).
 */
export interface SeatReconciliation {
  readonly eventsChecked: number;
  /** Ledger rows of settled orders compared with the tickets. */
  readonly seatLegsChecked: number;
  readonly discrepancies: readonly Discrepancy[];
}

/** What the check calls: the ledger, and the events' stops and start times. */
export interface SeatReconciliationClients {
  readonly inventory: MeshClient<typeof InventoryInternalService>;
  readonly catalog: MeshClient<typeof CatalogService>;
}

const confirmedStates = new Set(["CONFIRMED", "PARTIALLY_REFUNDED"]);
const admittingStates = new Set(["ISSUED", "USED"]);

interface TicketRow {
  readonly id: string;
  readonly order_id: string;
  readonly seat_id: string;
  readonly section_id: string;
  readonly ride: StoredRide | null;
  readonly state: string;
}

export async function reconcileSeats(
  orm: Database,
  clients: SeatReconciliationClients,
  options: { readonly onProgress?: (events: number) => void } = {},
): Promise<SeatReconciliation> {
  const events = await orm.em
    .fork()
    .execute<{ event_id: string }[]>(`select distinct "event_id" from "order" order by "event_id"`);
  const discrepancies: Discrepancy[] = [];
  let seatLegsChecked = 0;
  for (const [index, { event_id: eventId }] of events.entries()) {
    const found = await reconcileEvent(orm, clients, eventId);
    discrepancies.push(...found.discrepancies);
    seatLegsChecked += found.seatLegsChecked;
    options.onProgress?.(index + 1);
  }
  return { eventsChecked: events.length, seatLegsChecked, discrepancies };
}

async function reconcileEvent(
  orm: Database,
  clients: SeatReconciliationClients,
  eventId: string,
): Promise<{ seatLegsChecked: number; discrepancies: Discrepancy[] }> {
  const books = await inSnapshot(orm, async (em) => ({
    orders: await em.execute<{ id: string; state: string }[]>(
      `select "id", "state" from "order" where "event_id" = ?`,
      [eventId],
    ),
    tickets: await em.execute<TicketRow[]>(
      `select "id", "order_id", "seat_id", "section_id", "ride", "state" from "ticket" where "event_id" = ?
       order by "issue_time", "order_id", "line"`,
      [eventId],
    ),
    unreleased: await em.execute<{ ticket_ids: string[] }[]>(
      `select r."ticket_ids" from "refund" r join "order" o on o."id" = r."order_id"
       where o."event_id" = ? and not r."seats_released"`,
      [eventId],
    ),
  }));
  const { event } = await clients.catalog.getEvent({ eventId });
  const stopIds = (event?.stops ?? []).map((stop) => stop.id);
  const hasStarted = event?.startTime !== undefined && timestampDate(event.startTime).getTime() <= Date.now();
  const ledger = await salesOf(clients.inventory, eventId);

  const stateOf = new Map(books.orders.map((order) => [order.id, order.state]));
  const releasing = new Set(books.unreleased.flatMap((refund) => refund.ticket_ids));
  const legName = (leg: number) => (stopIds.length === 0 ? "" : ` on ${stopIds[leg]}-${stopIds[leg + 1]}`);
  const seatLegsOf = (seatId: string, sectionId: string, ride: StoredRide | undefined): string[] => {
    const legs = legsOfRide(stopIds, ride);
    const seat = seatId !== "" ? `seat ${seatId}` : sectionId !== "" ? `a place of ${sectionId}` : "a seat off the map";
    if (!isLegRange(legs))
      return [`${seat} on ${ride?.boardingStopId}-${ride?.alightingStopId}, not a ride of the trip`];
    return Array.from({ length: legs.toLeg - legs.fromLeg }, (_, i) => `${seat}${legName(legs.fromLeg + i)}`);
  };

  /** Per order: the seat-legs its valid tickets must have sold, and those voided tickets may still hold. */
  const expected = new Map<string, { must: string[]; may: string[] }>();
  const validHolders = new Map<string, { ticketId: string; orderId: string }[]>();
  const admittingOfUnconfirmed = new Map<string, number>();
  for (const ticket of books.tickets) {
    const orderState = stateOf.get(ticket.order_id) ?? "";
    if (orderState === "PENDING") continue;
    const seatLegs = seatLegsOf(ticket.seat_id, ticket.section_id, ticket.ride ?? undefined);
    const entry = expected.get(ticket.order_id) ?? { must: [], may: [] };
    expected.set(ticket.order_id, entry);
    if (!confirmedStates.has(orderState) && admittingStates.has(ticket.state)) {
      admittingOfUnconfirmed.set(ticket.order_id, (admittingOfUnconfirmed.get(ticket.order_id) ?? 0) + 1);
    }
    if (confirmedStates.has(orderState) && admittingStates.has(ticket.state)) {
      entry.must.push(...seatLegs);
      if (ticket.seat_id === "") continue;
      for (const seatLeg of seatLegs) {
        const holders = validHolders.get(seatLeg) ?? [];
        holders.push({ ticketId: ticket.id, orderId: ticket.order_id });
        validHolders.set(seatLeg, holders);
      }
    } else if (!admittingStates.has(ticket.state) && (hasStarted || releasing.has(ticket.id))) {
      entry.may.push(...seatLegs);
    }
  }

  const problems = new Map<string, string[]>();
  const report = (orderId: string, problem: string) =>
    problems.set(orderId, [...(problems.get(orderId) ?? []), problem]);
  for (const [orderId, count] of admittingOfUnconfirmed) {
    report(orderId, `it is ${stateOf.get(orderId)}, but ${count} of its tickets still admit (ISSUED or USED)`);
  }
  for (const [seatLeg, holders] of validHolders) {
    if (holders.length < 2) continue;
    const names = holders.map((holder) => `ticket ${holder.ticketId} of order ${holder.orderId}`).join(", ");
    for (const orderId of new Set(holders.map((holder) => holder.orderId))) {
      report(orderId, `${seatLeg} is on ${holders.length} valid tickets: ${names}`);
    }
  }
  let seatLegsChecked = 0;
  const listed = new Set<string>();
  for (const sales of ledger) {
    listed.add(sales.orderId);
    const state = stateOf.get(sales.orderId);
    if (state === "PENDING") continue;
    seatLegsChecked += sales.seatLegs;
    if (state === undefined) {
      report(sales.orderId, `the ledger sells it ${sales.seatLegs} seat-legs, but ordering has no such order`);
      continue;
    }
    const sold = sales.soldSeats.flatMap((seat) => seatLegsOf(seat.seatId, seat.sectionId, seat.ride));
    compare(sales.orderId, state, expected.get(sales.orderId) ?? { must: [], may: [] }, sold, report);
  }
  for (const [orderId, entry] of expected) {
    if (!listed.has(orderId)) compare(orderId, stateOf.get(orderId) ?? "", entry, [], report);
  }
  const discrepancies = [...problems].map(([orderId, found]) => ({
    orderId,
    state: stateOf.get(orderId) ?? "UNKNOWN",
    problem: `event ${eventId}: ${found.join("; ")}`,
  }));
  return { seatLegsChecked, discrepancies };
}

/** One order's ledger rows against its tickets: what the tickets need and the ledger lacks, and the rest. */
function compare(
  orderId: string,
  state: string,
  expected: { readonly must: readonly string[]; readonly may: readonly string[] },
  sold: readonly string[],
  report: (orderId: string, problem: string) => void,
): void {
  const left = counted(sold);
  const missing = expected.must.filter((seatLeg) => !take(left, seatLeg));
  for (const seatLeg of expected.may) take(left, seatLeg);
  const extra = [...left].flatMap(([seatLeg, count]) => Array<string>(count).fill(seatLeg));
  if (missing.length > 0) {
    report(orderId, `${missing.length} seat-legs of its valid tickets are not sold in the ledger: ${listOf(missing)}`);
  }
  if (extra.length > 0) {
    report(
      orderId,
      confirmedStates.has(state)
        ? `the ledger sells it ${extra.length} seat-legs no valid ticket of it has: ${listOf(extra)}`
        : `it ended ${state}, but the ledger still sells it ${extra.length} seat-legs: ${listOf(extra)}`,
    );
  }
}

/** Every page of the ledger's sales of an event. */
async function salesOf(inventory: MeshClient<typeof InventoryInternalService>, eventId: string): Promise<OrderSales[]> {
  const sales: OrderSales[] = [];
  let pageToken = "";
  do {
    const page = await inventory.listEventSales({ eventId, pageSize: 1000, pageToken }, { timeoutMs: 30_000 });
    sales.push(...page.orderSales);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return sales;
}

function counted(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/** Takes one of `value` out of the multiset; whether there was one. */
function take(counts: Map<string, number>, value: string): boolean {
  const count = counts.get(value) ?? 0;
  if (count === 0) return false;
  if (count === 1) counts.delete(value);
  else counts.set(value, count - 1);
  return true;
}

function listOf(items: readonly string[]): string {
  const shown = items.slice(0, 3).join(", ");
  return items.length > 3 ? `${shown} and ${items.length - 3} more` : shown;
}
