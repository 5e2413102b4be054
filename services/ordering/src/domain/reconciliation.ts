import { Code, ConnectError, type Database, type MeshClient } from "@marquee/mesh";
import { type Payment, type PaymentService, PaymentState } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import { OrderEntity, RefundEntity } from "../entities/index.js";

/**
 * Ordering's books against the payment service's, order by order: money is never lost or made up. An
 * order that was confirmed (whatever became of it later: refunds, a cancellation) must have a payment
 * that captured exactly its total and refunded exactly what its refunds say; an order never confirmed
 * (FAILED, EXPIRED, cancelled while pending) must keep none of the buyer's money and reserve none. PENDING orders are
 * in flight and skipped. Each finding names the order and what disagrees.
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
    for (const order of orders) {
      if (order.state === "PENDING") {
        pendingSkipped++;
        continue;
      }
      ordersChecked++;
      const promised = refunds
        .filter((refund) => refund.orderId === order.id && refund.state !== "FAILED")
        .reduce((sum, refund) => sum + refund.amountMinor, 0n);
      const found = (problem: string) => discrepancies.push({ orderId: order.id, state: order.state, problem });
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

async function paymentOf(payment: MeshClient<typeof PaymentService>, orderId: string): Promise<Payment | undefined> {
  try {
    return (await payment.getPayment({ orderId })).payment;
  } catch (error) {
    if (ConnectError.from(error).code === Code.NotFound) return undefined;
    throw error;
  }
}
