import { randomUUID } from "node:crypto";
import { coach, concertIn, hall, publish, ride, tripOn } from "@marquee/inventory/testing";
import { organizerToken, testId, testUserIds } from "@marquee/mesh/testing";
import { OrderState, RefundReason } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { expect } from "chai";
import { reconcilePayments } from "../../src/domain/reconciliation.js";
import { reconcileSeats } from "../../src/domain/seat-reconciliation.js";
import { OrderEntity, RefundEntity, TicketEntity } from "../../src/entities/index.js";
import { buyer, checkout, useOrdering } from "../support/testing.js";

/** A row of inventory's sold_seat table, as read back to be put back. */
interface LedgerRow {
  readonly event_id: string;
  readonly seat_index: number;
  readonly leg: number;
  readonly order_id: string;
  readonly hold_id: string;
  readonly user_id: string;
  readonly sold_at: Date;
}

/**
 * The seat half of the books: tickets against inventory's sold-seat ledger, through ListEventSales. Clean
 * books reconcile; each tampering — with the ledger (inventory's database) or with the tickets and orders
 * (ordering's) — is found and names its order, and is undone before the next test, after which the books
 * reconcile again.
 */
describe("reconcileSeats: ordering's tickets against inventory's sold-seat ledger", function () {
  this.timeout(120_000);
  const env = useOrdering();
  const organizer = () => organizerToken(testUserIds.organizer);

  const seatBooks = () =>
    reconcileSeats(env.service.parts.orm, { inventory: env.service.deps.inventory, catalog: env.service.deps.catalog });
  /** Each seat finding as `<order id> <state>: <problem>`. */
  async function seatFindings(): Promise<string[]> {
    return (await seatBooks()).discrepancies.map((found) => `${found.orderId} ${found.state}: ${found.problem}`);
  }
  const orderingDb = () => env.service.parts.orm.em.fork();
  const ledgerDb = () => env.inventory.orm.em.fork();

  afterEach(async () => {
    expect(await seatFindings()).to.deep.equal([]);
    expect((await reconcilePayments(env.service.parts.orm, env.payment.client)).discrepancies).to.deep.equal([]);
  });

  /** A confirmed order of new buyer `name` for the seats (and pit places) named, on a new concert unless given. */
  async function bought(
    name: string,
    seats: { seatIds?: string[]; pitPlaces?: number; eventId?: string; ride?: [string, string] },
  ) {
    const eventId = seats.eventId ?? (await publish(env.inventory.catalog, hall, concertIn)).id;
    const who = await buyer(name);
    const { hold } = await env.inventory.client.holdSeats(
      {
        eventId,
        seatIds: seats.seatIds ?? [],
        places: seats.pitPlaces ? [{ sectionId: "pit", quantity: seats.pitPlaces }] : [],
        ...(seats.ride ? { ride: ride(...seats.ride) } : {}),
      },
      { token: who.token },
    );
    const order = await checkout(env, who, hold?.id ?? "");
    expect(order.state).to.equal(OrderState.CONFIRMED);
    return { eventId, order };
  }

  async function refund(orderId: string, ticketIds: string[]) {
    const { refund } = await env.client.refundOrder(
      { orderId, ticketIds, reason: RefundReason.REQUESTED_BY_BUYER, idempotencyKey: randomUUID() },
      { token: await organizer() },
    );
    return refund;
  }

  async function ledgerRows(orderId: string): Promise<LedgerRow[]> {
    return await ledgerDb().execute<LedgerRow[]>(
      "select * from sold_seat where order_id = ? order by seat_index, leg",
      [orderId],
    );
  }

  async function putBack(rows: readonly LedgerRow[]) {
    for (const row of rows) {
      await ledgerDb().execute(
        `insert into sold_seat (event_id, seat_index, leg, order_id, hold_id, user_id, sold_at) values (?, ?, ?, ?, ?, ?, ?)`,
        [row.event_id, row.seat_index, row.leg, row.order_id, row.hold_id, row.user_id, row.sold_at],
      );
    }
  }

  it("finds clean books after confirmed orders of seats and places, a partial refund and a coach ride", async () => {
    const concert = await bought("clean-concert", { seatIds: ["stalls:A-1", "box:A-1"], pitPlaces: 2 });
    await refund(concert.order.id, [concert.order.tickets[1]?.id ?? ""]);
    const trip = await publish(env.inventory.catalog, coach, tripOn);
    await bought("clean-trip-1", { eventId: trip.id, seatIds: ["cabin:7-A"], ride: ["dhaka", "jessore"] });
    await bought("clean-trip-2", { eventId: trip.id, seatIds: ["cabin:7-A"], ride: ["jessore", "kolkata"] });
    // The concert's seat, two places (the box seat was refunded and released) and the coach seat's four legs.
    expect(await seatBooks()).to.deep.equal({ eventsChecked: 2, seatLegsChecked: 3 + 4, discrepancies: [] });
  });

  it("finds a ticket whose seat-leg the ledger lost, and a ledger row for an order ordering never had", async () => {
    const { eventId, order } = await bought("lost-row", { seatIds: ["stalls:B-1", "stalls:B-2"] });
    const [lost] = await ledgerDb().execute<LedgerRow[]>(
      "delete from sold_seat where order_id = ? and seat_index = (select min(seat_index) from sold_seat where order_id = ?) returning *",
      [order.id, order.id],
    );
    expect(await seatFindings()).to.deep.equal([
      `${order.id} CONFIRMED: event ${eventId}: 1 seat-legs of its valid tickets are not sold in the ledger: seat stalls:B-1`,
    ]);
    await putBack(lost ? [lost] : []);

    const madeUp = testId("order-nobody-placed");
    await putBack([{ ...(lost as LedgerRow), seat_index: 40, order_id: madeUp }]);
    const [finding] = (await seatBooks()).discrepancies;
    expect(finding).to.deep.include({ orderId: madeUp, state: "UNKNOWN" });
    expect(finding?.problem).to.match(/the ledger sells it 1 seat-legs, but ordering has no such order/);
    await ledgerDb().execute("delete from sold_seat where order_id = ?", [madeUp]);
  });

  it("finds a ticket refunded without its seat released, unless its refund is still releasing it or the event has started", async () => {
    const { eventId, order } = await bought("refunded-unreleased", { seatIds: ["stalls:C-1", "stalls:C-2"] });
    const [first, second] = order.tickets;
    // Voided in ordering's books only: no refund, the seat still sold.
    await orderingDb().nativeUpdate(TicketEntity, { id: first?.id ?? "" }, { state: "REFUNDED" });
    expect(await seatFindings()).to.deep.equal([
      `${order.id} CONFIRMED: event ${eventId}: the ledger sells it 1 seat-legs no valid ticket of it has: seat stalls:C-1`,
    ]);
    const payments = await reconcilePayments(env.service.parts.orm, env.payment.client);
    expect(payments.discrepancies.map((found) => found.problem)).to.deep.equal([
      `ticket ${first?.id} is REFUNDED but 0 refunds name it`,
    ]);
    await orderingDb().nativeUpdate(TicketEntity, { id: first?.id ?? "" }, { state: "ISSUED" });

    // A real refund whose seat is sold again: fine while the refund has yet to release it, not after.
    const before = await ledgerRows(order.id);
    const made = await refund(order.id, [second?.id ?? ""]);
    const released = before.filter((row) => row.seat_index !== before[0]?.seat_index);
    expect(await ledgerRows(order.id)).to.have.length(before.length - released.length);
    await putBack(released);
    await orderingDb().nativeUpdate(RefundEntity, { id: made?.id ?? "" }, { seatsReleased: false });
    expect(await seatFindings()).to.deep.equal([]);
    await orderingDb().nativeUpdate(RefundEntity, { id: made?.id ?? "" }, { seatsReleased: true });
    expect(await seatFindings()).to.deep.equal([
      `${order.id} PARTIALLY_REFUNDED: event ${eventId}: the ledger sells it 1 seat-legs no valid ticket of it has: seat stalls:C-2`,
    ]);
    await ledgerDb().execute("delete from sold_seat where order_id = ? and seat_index = ?", [
      order.id,
      released[0]?.seat_index ?? -1,
    ]);

    // An event under way keeps its refunded seats sold (refunds.ts): that is no finding.
    const started = await bought("refunded-after-start", { seatIds: ["stalls:C-3"] });
    await env.inventory.catalog.orm.em
      .fork()
      .execute(`update "event" set "start_time" = now() - interval '1 minute' where "id" = ?`, [started.eventId]);
    await refund(started.order.id, [started.order.tickets[0]?.id ?? ""]);
    expect(await ledgerRows(started.order.id)).to.have.length(1);
    expect(await seatFindings()).to.deep.equal([]);
  });

  it("finds a confirmed order marked FAILED, and one seat on two valid tickets", async () => {
    const { eventId, order } = await bought("marked-failed", { seatIds: ["stalls:D-1"] });
    await orderingDb().nativeUpdate(OrderEntity, { id: order.id }, { state: "FAILED" });
    expect(await seatFindings()).to.deep.equal([
      `${order.id} FAILED: event ${eventId}: it is FAILED, but 1 of its tickets still admit (ISSUED or USED); ` +
        "it ended FAILED, but the ledger still sells it 1 seat-legs: seat stalls:D-1",
    ]);
    await orderingDb().nativeUpdate(OrderEntity, { id: order.id }, { state: "CONFIRMED" });

    const other = await bought("same-seat", { eventId, seatIds: ["stalls:D-2"] });
    const ticketId = other.order.tickets[0]?.id ?? "";
    await orderingDb().nativeUpdate(TicketEntity, { id: ticketId }, { seatId: "stalls:D-1" });
    const findings = await seatFindings();
    const twice = `seat stalls:D-1 is on 2 valid tickets: ticket ${order.tickets[0]?.id} of order ${order.id}, ticket ${ticketId} of order ${other.order.id}`;
    expect(findings).to.deep.equal([
      `${order.id} CONFIRMED: event ${eventId}: ${twice}`,
      `${other.order.id} CONFIRMED: event ${eventId}: ${twice}; ` +
        "1 seat-legs of its valid tickets are not sold in the ledger: seat stalls:D-1; " +
        "the ledger sells it 1 seat-legs no valid ticket of it has: seat stalls:D-2",
    ]);
    await orderingDb().nativeUpdate(TicketEntity, { id: ticketId }, { seatId: "stalls:D-2" });
  });

  it("finds a coach ride with a leg missing from the ledger", async () => {
    const trip = await publish(env.inventory.catalog, coach, tripOn);
    const { order } = await bought("leg-lost", {
      eventId: trip.id,
      seatIds: ["cabin:7-B"],
      ride: ["dhaka", "benapole"],
    });
    const [lost] = await ledgerDb().execute<LedgerRow[]>(
      "delete from sold_seat where order_id = ? and leg = 1 returning *",
      [order.id],
    );
    expect(await seatFindings()).to.deep.equal([
      `${order.id} CONFIRMED: event ${trip.id}: 1 seat-legs of its valid tickets are not sold in the ledger: seat cabin:7-B on faridpur-jessore`,
    ]);
    await putBack(lost ? [lost] : []);
  });

  it("finds refunds that do not add up", async () => {
    const { order } = await bought("refund-adds-up", { seatIds: ["stalls:E-1", "stalls:E-2"] });
    const made = await refund(order.id, [order.tickets[0]?.id ?? ""]);
    const amount = made?.amount?.amountMinor ?? 0n;
    await orderingDb().nativeUpdate(
      RefundEntity,
      { id: made?.id ?? "" },
      { amountMinor: order.total?.amountMinor ?? 0n },
    );
    const found = (await reconcilePayments(env.service.parts.orm, env.payment.client)).discrepancies;
    expect(found.map((finding) => finding.orderId)).to.deep.equal([order.id, order.id]);
    expect(found.map((finding) => finding.problem)).to.deep.equal([
      `refund ${made?.id} returns ${order.total?.amountMinor}, its tickets cost ${amount}`,
      `the payment refunded ${amount}, the order's refunds say ${order.total?.amountMinor}`,
    ]);
    await orderingDb().nativeUpdate(RefundEntity, { id: made?.id ?? "" }, { amountMinor: amount * 3n });
    const over = (await reconcilePayments(env.service.parts.orm, env.payment.client)).discrepancies;
    expect(over.map((finding) => finding.problem)).to.include(
      `its refunds return ${amount * 3n}, more than its total ${order.total?.amountMinor}`,
    );
    await orderingDb().nativeUpdate(RefundEntity, { id: made?.id ?? "" }, { amountMinor: amount });
  });
});
