import { Code, ConnectError, type Database, type MeshClient } from "@marquee/mesh";
import { type Payment, type PaymentService, PaymentState } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import { OrderEntity, RefundEntity, TicketEntity } from "../entities/index.js";
import { refundableMinor } from "./refunds.js";

/**
 * Ordering's books against the payment service's, order by order: money is never lost or made up. An
 * order that was confirmed (whatever became of it later: refunds, a cancellation) must have a payment
 * that captured exactly its total and refunded exactly what its refunds say; an order never confirmed
 * (FAILED, EXPIRED, cancelled while pending) must keep none of the buyer's money and reserve none. Refunds
 * add up: those not FAILED never return more than the order's total, a refund never more than the prices
 * and fees of the tickets it names, and every voided ticket is named by exactly one refund. PENDING orders
 * are in flight and skipped. Each finding names the order and what disagrees. The seats are checked
 * against inventory's ledger by `reconcileSeats` (seat-reconciliation.ts).
 */
export interface Discrepancy {
  readonly orderId: string;
  readonly state: string;
  readonly problem: string;
}

/** What a reconciliation looked at and what it found. */
export interface Reconciliation {
  readonly ordersChecked: number;
  readonly pendingSkipped: number;
  readonly discrepancies: readonly Discrepancy[];
}

export async function reconcilePayments(
  orm: Database,
  payment: MeshClient<typeof PaymentService>,
  options: { readonly batchSize?: number; readonly onProgress?: (checked: number) => void } = {},
): Promise<Reconciliation> {
  const batchSize = options.batchSize ?? 200;
  const discrepancies: Discrepancy[] = [];
  let ordersChecked = 0;
  let pendingSkipped = 0;
  let after: string | undefined;
  for (;;) {
    const em = orm.em.fork();
    const orders = await em.find(OrderEntity, after === undefined ? {} : { id: { $gt: after } }, {
      orderBy: { id: "asc" },
      limit: batchSize,
    });
    if (orders.length === 0) break;
    const refunds = await em.find(RefundEntity, { orderId: { $in: orders.map((order) => order.id) } });
    const tickets = await em.find(TicketEntity, { orderId: { $in: orders.map((order) => order.id) } });
    for (const order of orders) {
      if (order.state === "PENDING") {
        pendingSkipped++;
        continue;
      }
      ordersChecked++;
      const ordersRefunds = refunds.filter((refund) => refund.orderId === order.id);
      const promised = ordersRefunds
        .filter((refund) => refund.state !== "FAILED")
        .reduce((sum, refund) => sum + refund.amountMinor, 0n);
      const found = (problem: string) => discrepancies.push({ orderId: order.id, state: order.state, problem });
      checkRefunds(
        order,
        ordersRefunds,
        tickets.filter((ticket) => ticket.orderId === order.id),
        found,
      );
      if (promised > order.totalMinor) found(`its refunds return ${promised}, more than its total ${order.totalMinor}`);
      const paid = await paymentOf(payment, order.id);
      const captured = paid?.capturedAmount?.amountMinor ?? 0n;
      const refunded = paid?.refundedAmount?.amountMinor ?? 0n;
      if (order.confirmTime !== null) {
        // A free order (a 100 % discount) takes no payment at all.
        if (paid === undefined && order.totalMinor !== 0n) found("was confirmed but has no payment");
        else if (captured !== order.totalMinor) found(`captured ${captured}, the order's total is ${order.totalMinor}`);
        if (paid !== undefined && refunded !== promised) {
          found(`the payment refunded ${refunded}, the order's refunds say ${promised}`);
        }
      } else if (captured - refunded !== 0n) {
        found(`ended ${order.state} unconfirmed but keeps ${captured - refunded} of the buyer's money`);
      } else if (paid?.state === PaymentState.AUTHORIZED || paid?.state === PaymentState.PENDING) {
        found(`ended ${order.state} but its payment still reserves money (${PaymentState[paid.state]})`);
      }
    }
    options.onProgress?.(ordersChecked + pendingSkipped);
    after = orders.at(-1)?.id ?? after;
  }
  return { ordersChecked, pendingSkipped, discrepancies };
}

/** A refund returns at most what its tickets cost; every voided ticket is named by exactly one refund. */
function checkRefunds(
  order: OrderEntity,
  refunds: readonly RefundEntity[],
  tickets: readonly TicketEntity[],
  found: (problem: string) => void,
): void {
  const byId = new Map(tickets.map((ticket) => [ticket.id, ticket]));
  const namings = new Map<string, number>();
  for (const refund of refunds) {
    let worth = 0n;
    for (const ticketId of refund.ticketIds) {
      namings.set(ticketId, (namings.get(ticketId) ?? 0) + 1);
      const ticket = byId.get(ticketId);
      if (ticket === undefined) found(`refund ${refund.id} names ticket ${ticketId}, not one of the order's`);
      else worth += refundableMinor(order, ticket);
    }
    // A checkout's refund names no ticket: it returns what the failed checkout captured.
    if (refund.ticketIds.length > 0 && refund.amountMinor > worth) {
      found(`refund ${refund.id} returns ${refund.amountMinor}, its tickets cost ${worth}`);
    }
  }
  for (const ticket of tickets) {
    const named = namings.get(ticket.id) ?? 0;
    const isVoided = ticket.state === "REFUNDED" || ticket.state === "CANCELLED";
    if (isVoided && named !== 1) found(`ticket ${ticket.id} is ${ticket.state} but ${named} refunds name it`);
    else if (!isVoided && named > 0) found(`ticket ${ticket.id} is ${ticket.state} but a refund names it`);
  }
}

/** The payment of an order, or undefined when it took none. */
export async function paymentOf(
  payment: MeshClient<typeof PaymentService>,
  orderId: string,
): Promise<Payment | undefined> {
  try {
    return (await payment.getPayment({ orderId })).payment;
  } catch (error) {
    if (ConnectError.from(error).code === Code.NotFound) return undefined;
    throw error;
  }
}
