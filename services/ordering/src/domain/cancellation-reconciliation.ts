import type { Database, MeshClient } from "@marquee/mesh";
import { PaymentRefundState, type PaymentService } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import { EventCancellationEntity, OrderEntity, RefundEntity, TicketEntity } from "../entities/index.js";
import { paymentOf } from "./reconciliation.js";

/**
 * Cancelled events against the payment service, event by event: once an event's cancellation is done
 * and its refunds settled, the money captured for its orders has all gone back (captured = the refunds
 * the payment service reports SUCCEEDED, paid out by the gateway), no ticket of it admits anyone, and every order confirmed for it carries exactly
 * one refund for the cancellation. A cancellation still being worked off, or with a refund the gateway has
 * not settled, is in flight and skipped. `reconcilePayments` checks each order's own books; this checks
 * the sum an organizer's cancellation promised the buyers.
 */
export interface CancellationDiscrepancy {
  readonly eventId: string;
  readonly problem: string;
}

export interface CancellationReconciliation {
  readonly eventsChecked: number;
  readonly ordersChecked: number;
  readonly capturedMinor: bigint;
  readonly refundedMinor: bigint;
  readonly unsettledSkipped: number;
  readonly discrepancies: readonly CancellationDiscrepancy[];
}

export async function reconcileCancellations(
  orm: Database,
  payment: MeshClient<typeof PaymentService>,
): Promise<CancellationReconciliation> {
  const discrepancies: CancellationDiscrepancy[] = [];
  let eventsChecked = 0;
  let ordersChecked = 0;
  let capturedMinor = 0n;
  let refundedMinor = 0n;
  let unsettledSkipped = 0;
  const em = orm.em.fork();
  const cancellations = await em.find(EventCancellationEntity, {}, { orderBy: { cancelTime: "asc" } });
  for (const cancellation of cancellations) {
    const { eventId } = cancellation;
    const orders = await em.find(OrderEntity, { eventId, confirmTime: { $ne: null } });
    const refunds = await em.find(RefundEntity, { orderId: { $in: orders.map((order) => order.id) } });
    if (cancellation.state !== "DONE" || refunds.some((refund) => refund.state === "PENDING")) {
      unsettledSkipped++;
      continue;
    }
    eventsChecked++;
    const found = (problem: string) => discrepancies.push({ eventId, problem });
    const admitting = await em.count(TicketEntity, { eventId, state: { $in: ["ISSUED", "USED"] } });
    if (admitting > 0) found(`${admitting} tickets still admit their holders`);
    let eventCaptured = 0n;
    let eventRefunded = 0n;
    for (const order of orders) {
      ordersChecked++;
      const forCancellation = refunds.filter(
        (refund) => refund.orderId === order.id && refund.reason === "EVENT_CANCELLED",
      ).length;
      const refundedBefore = refunds.some(
        (refund) => refund.orderId === order.id && refund.reason !== "EVENT_CANCELLED",
      );
      // An order refunded in full before the cancellation needs none for it.
      if (forCancellation > 1 || (forCancellation === 0 && !refundedBefore)) {
        found(`order ${order.id} has ${forCancellation} refunds for the cancellation`);
      }
      const paid = await paymentOf(payment, order.id);
      eventCaptured += paid?.capturedAmount?.amountMinor ?? 0n;
      // Money back is what the gateway has paid out: the payment service counts a refund it still sends.
      eventRefunded += (paid?.refunds ?? [])
        .filter((made) => made.state === PaymentRefundState.SUCCEEDED)
        .reduce((sum, made) => sum + (made.amount?.amountMinor ?? 0n), 0n);
    }
    if (eventCaptured !== eventRefunded) {
      found(`the payment service captured ${eventCaptured} for its orders and refunded ${eventRefunded}`);
    }
    capturedMinor += eventCaptured;
    refundedMinor += eventRefunded;
  }
  return { eventsChecked, ordersChecked, capturedMinor, refundedMinor, unsettledSkipped, discrepancies };
}
