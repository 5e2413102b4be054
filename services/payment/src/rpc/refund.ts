import { randomUUID } from "node:crypto";
import {
  Code,
  ConnectError,
  callerIdOf,
  defineRpc,
  failedPrecondition,
  idempotencyKeyReused,
  invalidArgument,
  notFound,
} from "@marquee/mesh";
import { PaymentService, type RefundResponse } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import { gatewayFailure } from "../api/errors.js";
import { capturedStates, gatewayKeyOf, requestHashOf } from "../domain/payment-rules.js";
import type { IdempotencyKeyEntity, PaymentEntity, PaymentRefundEntity } from "../entities/index.js";
import { type PspRefund, PspRefusedError } from "../gateway/psp.js";
import type { Payments } from "../payments.js";
import { paymentMessage, refundMessage } from "../store/messages.js";
import {
  findKey,
  findPayment,
  findRefund,
  placeOf,
  readSnapshot,
  reserveRefund,
  settleRefund,
} from "../store/payments.js";
import { checkAmount, checkIdempotencyKey } from "./request-rules.js";

/** Characters of a reason, as the proto bounds it (and the gateway's metadata values). */
const maxReasonLength = 500;

/** Why a payment cannot be refunded now. */
function notRefundable(payment: PaymentEntity): Error {
  if (payment.state === "AUTHORIZED")
    return failedPrecondition(`payment ${payment.id} is not captured: void it instead`);
  if (payment.state === "REFUNDED") return failedPrecondition(`payment ${payment.id} is refunded in full`);
  return failedPrecondition(`payment ${payment.id} is ${payment.state} and has nothing to refund`);
}

/**
 * PaymentService.Refund. The amount is reserved against the capture under a row lock, with the refund
 * (PENDING) and the caller's key, before the gateway is asked, so racing refunds never add up to more
 * than was captured. The gateway gets the refund's own key: a retry after a timeout replays the refund.
 * A refund the gateway refuses ends FAILED and its amount is refundable again.
 */
export const refund = defineRpc(PaymentService.method.refund, {
  rules(request, check) {
    check.id("payment_id", request.paymentId);
    checkAmount(check, "amount", request.amount, true);
    if (check.required("reason", request.reason)) check.maxLength("reason", request.reason, maxReasonLength);
    checkIdempotencyKey(check, request.idempotencyKey);
  },
  handler({ orm, cipher, psp }: Payments) {
    return async (request, call) => {
      const caller = callerIdOf(call);
      const payment = await findPayment(orm, request.paymentId);
      if (payment === null) throw notFound("payment", request.paymentId);
      const amountMinor = Number(request.amount?.amountMinor ?? 0n);
      if (request.amount?.currencyCode !== payment.currencyCode) {
        throw invalidArgument("amount.currency_code", `must be the payment's currency, ${payment.currencyCode}`);
      }
      const requestHash = requestHashOf("REFUND", [payment.id, payment.currencyCode, amountMinor, request.reason]);

      const answer = async (refundId: string): Promise<Partial<RefundResponse>> => {
        const snapshot = await readSnapshot(orm, payment.id);
        const made = snapshot?.refunds.find((r) => r.id === refundId);
        if (snapshot === null || made === undefined) throw new ConnectError("the refund vanished", Code.Internal);
        // Refused by the gateway when asked: the first answer was that error, and so is every replay.
        if (made.state === "FAILED" && (made.providerRefundId ?? null) === null)
          throw failedPrecondition(made.failureMessage);
        return { payment: paymentMessage(cipher, snapshot), refund: refundMessage(cipher, made) };
      };

      const resume = async (key: IdempotencyKeyEntity): Promise<Partial<RefundResponse>> => {
        if (key.operation !== "REFUND" || key.requestHash !== requestHash || !key.refundId) {
          throw idempotencyKeyReused();
        }
        const made = await findRefund(orm, key.refundId);
        if (made === null) throw new ConnectError("the refund vanished", Code.Internal);
        if (made.state !== "PENDING" || (made.providerRefundId ?? null) !== null) return await answer(made.id);
        const intentId = cipher.open(payment.providerIntentId ?? "", placeOf("payment.provider_intent_id", payment.id));
        let result: PspRefund;
        try {
          result = await psp.refund(
            {
              intentId,
              amountMinor: made.amountMinor,
              metadata: {
                payment_id: payment.id,
                order_id: payment.orderId,
                refund_id: made.id,
                reason: made.reason.slice(0, maxReasonLength),
              },
            },
            gatewayKeyOf("refund", made.id),
          );
        } catch (error) {
          if (!(error instanceof PspRefusedError) || error.refusal === "rejected") throw gatewayFailure(error);
          await settleRefund(orm.em.fork(), cipher, made.id, {
            failureMessage: `the gateway refused the refund: ${error.message}`,
          });
          return await answer(made.id);
        }
        await settleRefund(orm.em.fork(), cipher, made.id, { refund: result });
        return await answer(made.id);
      };

      const known = await findKey(orm, caller, request.idempotencyKey);
      if (known !== null) return await resume(known);
      const now = new Date();
      const made: PaymentRefundEntity = {
        id: randomUUID(),
        paymentId: payment.id,
        amountMinor,
        currencyCode: payment.currencyCode,
        reason: request.reason,
        state: "PENDING",
        providerRefundId: null,
        failureMessage: "",
        createTime: now,
        completeTime: null,
      };
      const key: IdempotencyKeyEntity = {
        caller,
        key: request.idempotencyKey,
        operation: "REFUND",
        requestHash,
        paymentId: payment.id,
        refundId: made.id,
        createTime: now,
      };
      const reservation = await reserveRefund(
        orm,
        made,
        key,
        (locked) => capturedStates.has(locked.state) && locked.state !== "REFUNDED",
      );
      if (reservation.kind === "reserved") return await resume(key);
      if (reservation.kind === "refused") {
        if (reservation.reason === "state") throw notRefundable(reservation.payment ?? payment);
        const left = reservation.payment.capturedMinor - reservation.payment.refundedMinor;
        throw failedPrecondition(
          `the refund of ${amountMinor} exceeds what is captured and not yet refunded (${left} ${payment.currencyCode})`,
          [{ type: "REFUND_EXCEEDS_CAPTURE", subject: "amount", description: `at most ${left} may be refunded` }],
        );
      }
      const raced = await findKey(orm, caller, request.idempotencyKey);
      if (raced !== null) return await resume(raced);
      throw new ConnectError("the refund conflicted with a concurrent one; retry", Code.Aborted);
    };
  },
});
