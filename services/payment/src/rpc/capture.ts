import {
  callerIdOf,
  defineRpc,
  failedPrecondition,
  idempotencyKeyReused,
  invalidArgument,
  notFound,
} from "@marquee/mesh";
import type { Payment } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import { PaymentService } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import { gatewayFailure } from "../api/errors.js";
import { capturedStates, gatewayKeyOf, requestHashOf } from "../domain/payment-rules.js";
import type { IdempotencyKeyEntity, PaymentEntity } from "../entities/index.js";
import { type PspIntent, PspRefusedError } from "../gateway/psp.js";
import type { Payments } from "../payments.js";
import { applyIntent } from "../settlement/intents.js";
import { readPaymentMessage } from "../store/messages.js";
import { findKey, findPayment, insertKey, placeOf, recordCapture, recordVoid } from "../store/payments.js";
import { checkAmount, checkIdempotencyKey } from "./request-rules.js";

/** Why a payment that is not AUTHORIZED cannot be captured. */
function notCapturable(payment: PaymentEntity): Error {
  switch (payment.state) {
    case "PENDING":
      return failedPrecondition(`payment ${payment.id} is still PENDING: retry Authorize first`);
    case "CAPTURED":
    case "PARTIALLY_REFUNDED":
    case "REFUNDED":
      return failedPrecondition(`payment ${payment.id} was already captured with another idempotency key`);
    default:
      return failedPrecondition(`payment ${payment.id} is ${payment.state} and cannot be captured`);
  }
}

/**
 * PaymentService.Capture. A payment has one capture key, which PostgreSQL enforces
 * (`idempotency_key_one_capture`): the first key to claim it captures, a retry with that key resumes or
 * returns the capture, any other key is refused. The gateway gets the payment's own capture key, so a
 * capture retried after a timeout is replayed, never taken twice.
 */
export const capture = defineRpc(PaymentService.method.capture, {
  rules(request, check) {
    check.id("payment_id", request.paymentId);
    checkAmount(check, "amount", request.amount, false);
    checkIdempotencyKey(check, request.idempotencyKey);
  },
  handler({ orm, cipher, psp }: Payments) {
    return async (request, call) => {
      const caller = callerIdOf(call);
      const payment = await findPayment(orm, request.paymentId);
      if (payment === null) throw notFound("payment", request.paymentId);
      if (request.amount !== undefined && request.amount.currencyCode !== payment.currencyCode) {
        throw invalidArgument("amount.currency_code", `must be the payment's currency, ${payment.currencyCode}`);
      }
      const amountMinor = request.amount === undefined ? payment.amountMinor : Number(request.amount.amountMinor);
      if (amountMinor > payment.amountMinor) {
        throw invalidArgument("amount.amount_minor", `must be at most the authorized ${payment.amountMinor}`);
      }
      const requestHash = requestHashOf("CAPTURE", [payment.id, payment.currencyCode, amountMinor]);

      const resume = async (key: IdempotencyKeyEntity): Promise<{ payment: Payment }> => {
        if (key.operation !== "CAPTURE" || key.requestHash !== requestHash) throw idempotencyKeyReused();
        const now = (await findPayment(orm, payment.id)) ?? payment;
        if (capturedStates.has(now.state)) return { payment: await readPaymentMessage(orm, cipher, now.id) };
        if (now.state !== "AUTHORIZED") throw notCapturable(now);
        const intentId = cipher.open(now.providerIntentId ?? "", placeOf("payment.provider_intent_id", now.id));
        const em = orm.em.fork();
        let intent: PspIntent;
        try {
          intent = await psp.capture(intentId, amountMinor, gatewayKeyOf("capture", now.id));
        } catch (error) {
          if (!(error instanceof PspRefusedError)) throw gatewayFailure(error);
          if (error.refusal === "authorization_expired") {
            await recordVoid(em, cipher, now.id, error.intent);
            throw failedPrecondition(`the authorization of payment ${now.id} lapsed before the capture`);
          }
          if (error.refusal !== "unexpected_state" || error.intent === undefined) throw gatewayFailure(error);
          // The gateway's intent moved on (captured by this key's lost answer, or cancelled): follow it.
          await applyIntent(em, cipher, now.id, error.intent);
          const moved = (await findPayment(orm, now.id)) ?? now;
          if (capturedStates.has(moved.state)) return { payment: await readPaymentMessage(orm, cipher, moved.id) };
          throw notCapturable(moved);
        }
        await recordCapture(em, cipher, now.id, intent);
        return { payment: await readPaymentMessage(orm, cipher, now.id) };
      };

      const known = await findKey(orm, caller, request.idempotencyKey);
      if (known !== null) return await resume(known);
      if (payment.state !== "AUTHORIZED") throw notCapturable(payment);
      const expireTime = payment.authorizationExpireTime ?? undefined;
      if (expireTime !== undefined && expireTime.getTime() <= Date.now()) {
        throw failedPrecondition(`the authorization of payment ${payment.id} lapsed at ${expireTime.toISOString()}`);
      }
      const key: IdempotencyKeyEntity = {
        caller,
        key: request.idempotencyKey,
        operation: "CAPTURE",
        requestHash,
        paymentId: payment.id,
        refundId: null,
        createTime: new Date(),
      };
      if (await insertKey(orm, key)) return await resume(key);
      const raced = await findKey(orm, caller, request.idempotencyKey);
      if (raced !== null) return await resume(raced);
      throw failedPrecondition(`payment ${payment.id} is being captured with another idempotency key`);
    };
  },
});
