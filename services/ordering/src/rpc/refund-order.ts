import { createHash, randomUUID } from "node:crypto";
import {
  callerIdOf,
  defineRpc,
  failedPrecondition,
  idempotencyKeyReused,
  invalidArgument,
  notFound,
  requireSecondFactor,
} from "@marquee/mesh";
import { RefundReason } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { OrderingService, type RefundOrderRequest } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { isOrganizerOf } from "../domain/access.js";
import { carryOut, recordRefund, refundableMinor } from "../domain/refunds.js";
import { RefundEntity } from "../entities/index.js";
import type { Ordering } from "../ordering.js";
import { toOrderMessage, toRefundMessage } from "../store/messages.js";
import { readOrderRecord } from "../store/orders.js";
import { checkNote } from "./request-rules.js";

/** Reasons only ordering gives its own refunds. */
const ordersOwnReasons = new Set([RefundReason.BUYER_CANCELLED, RefundReason.CHECKOUT_FAILED]);

/**
 * OrderingService.RefundOrder, for the event's organizer or an admin: the whole order or chosen tickets.
 * The refund is recorded first (tickets voided, the order's state, OrderRefunded: one transaction), then
 * carried out — money from the payment service, seats back on sale — here and, after any failure, by the
 * refund follower, so the answer's refund is usually PENDING and settles later. A refund larger than
 * `REFUND_MFA_ABOVE_MINOR` needs a caller signed in with a second factor (seed 003: 2FA for high-risk
 * actions); a retry of a refund already made answers it without asking again, as nothing new happens.
 */
export const refundOrder = defineRpc(OrderingService.method.refundOrder, {
  rules(request, check) {
    check.id("order_id", request.orderId);
    check.each("ticket_ids", request.ticketIds, (ticketId, path) => check.uuid(path, ticketId));
    check.unique("ticket_ids", request.ticketIds);
    const known = RefundReason[request.reason] !== undefined && request.reason !== RefundReason.UNSPECIFIED;
    if (check.that("reason", known, "is required: a RefundReason")) {
      check.that("reason", !ordersOwnReasons.has(request.reason), "is set by ordering only");
    }
    checkNote(check, request.note);
    if (request.reason === RefundReason.OTHER) check.required("note", request.note);
    check.idempotencyKey("idempotency_key", request.idempotencyKey);
  },
  handler(ordering: Ordering) {
    return async (request, call) => {
      const record = await readOrderRecord(ordering.orm, request.orderId);
      if (record === null || call.principal === undefined || !isOrganizerOf(call.principal, record.order)) {
        throw notFound("order", request.orderId);
      }
      const fingerprint = fingerprintOf(request);
      const answer = async (refundId: string) => {
        const refund = await ordering.orm.em.fork().findOneOrFail(RefundEntity, { id: refundId });
        const now = await readOrderRecord(ordering.orm, request.orderId);
        if (now === null) throw notFound("order", request.orderId);
        return { refund: toRefundMessage(refund), order: toOrderMessage(now, { withQrPayloads: false }) };
      };
      const earlier = record.refunds.find((refund) => refund.idempotencyKey === request.idempotencyKey);
      if (earlier !== undefined) {
        if (earlier.requestFingerprint !== fingerprint) throw idempotencyKeyReused();
        return await answer(earlier.id);
      }

      const { order, tickets } = record;
      if (order.state !== "CONFIRMED" && order.state !== "PARTIALLY_REFUNDED") {
        throw failedPrecondition(`the order is ${order.state.toLowerCase()}: only a confirmed order is refunded`, [
          { type: "ORDER_NOT_REFUNDABLE", subject: `order:${order.id}`, description: `state ${order.state}` },
        ]);
      }
      request.ticketIds.forEach((ticketId, index) => {
        if (!tickets.some((ticket) => ticket.id === ticketId)) {
          throw invalidArgument(`ticket_ids[${index}]`, "is not a ticket of this order");
        }
      });
      const admits = (state: string) => state === "ISSUED" || state === "USED";
      const chosen =
        request.ticketIds.length === 0
          ? tickets.filter((ticket) => admits(ticket.state))
          : tickets.filter((ticket) => request.ticketIds.includes(ticket.id));
      const voided = chosen.filter((ticket) => !admits(ticket.state));
      if (voided.length > 0) {
        throw failedPrecondition(
          "some tickets are refunded or cancelled already",
          voided.map((ticket) => ({
            type: `TICKET_${ticket.state}`,
            subject: `ticket:${ticket.id}`,
            description: "this ticket was voided before",
          })),
        );
      }
      const amountMinor = chosen.reduce((sum, ticket) => sum + refundableMinor(order, ticket), 0n);
      if (amountMinor > ordering.refundMfaAboveMinor) requireSecondFactor(call.principal, "a refund this large");
      const refundId = randomUUID();
      const recorded = await ordering.orm.em.fork().transactional((em) =>
        recordRefund(em, {
          order,
          tickets: chosen,
          refundId,
          ticketState: "REFUNDED",
          reason: RefundReason[request.reason],
          note: request.note,
          requesterId: callerIdOf(call),
          idempotencyKey: request.idempotencyKey,
          fingerprint,
        }),
      );
      if (!recorded) {
        // The same request raced this one and won: answer its refund.
        const raced = (await readOrderRecord(ordering.orm, order.id))?.refunds.find(
          (refund) => refund.idempotencyKey === request.idempotencyKey,
        );
        if (raced !== undefined && raced.requestFingerprint === fingerprint) return await answer(raced.id);
        throw failedPrecondition("a concurrent refund voided some of these tickets; read the order and retry", [
          { type: "CONCURRENT_REFUND", subject: `order:${order.id}`, description: "tickets changed meanwhile" },
        ]);
      }
      call.log.info({ orderId: order.id, refundId, tickets: chosen.length }, "refund recorded");
      await carryOut(ordering, refundId);
      return await answer(refundId);
    };
  },
});

function fingerprintOf(request: RefundOrderRequest): string {
  const canonical = JSON.stringify([request.orderId, [...request.ticketIds].sort(), request.reason, request.note]);
  return createHash("sha256").update(canonical).digest("base64url");
}
