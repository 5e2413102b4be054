import { randomUUID } from "node:crypto";
import {
  Code,
  ConnectError,
  callerIdOf,
  defineRpc,
  failedPrecondition,
  idempotencyKeyReused,
  invalidArgument,
} from "@marquee/mesh";
import type { Payment } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import { PaymentService } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import { gatewayFailure, orderAlreadyPaid, paymentDeclined, paymentFailed } from "../api/errors.js";
import { gatewayKeyOf, requestHashOf } from "../domain/payment-rules.js";
import type { IdempotencyKeyEntity, PaymentEntity } from "../entities/index.js";
import { type PspRefusal, PspRefusedError } from "../gateway/psp.js";
import type { Payments } from "../payments.js";
import { cancelLateAuthorization } from "../settlement/intents.js";
import { readPaymentMessage } from "../store/messages.js";
import {
  discardPayment,
  findKey,
  findPayment,
  findPaymentOfOrder,
  insertPendingPayment,
  placeOf,
  recordAuthorization,
  recordAuthorizationFailure,
} from "../store/payments.js";
import { checkAmount, checkIdempotencyKey } from "./request-rules.js";

/** The request field a gateway's refusal of an authorization is about: the request was invalid. */
const fieldOfRefusal: Partial<Record<PspRefusal, string>> = {
  invalid_token: "payment_method_token",
  invalid_currency: "amount.currency_code",
  invalid_amount: "amount.amount_minor",
};

/**
 * PaymentService.Authorize. The payment is stored PENDING with the caller's key (and the token, sealed)
 * before the gateway is asked, so an answer that never comes leaves a payment to resume: the same key
 * and request again sends the gateway the same request under the same gateway key, which replays the
 * first authorization instead of making a second. The same key with another request is refused; another
 * key for an order that has a payment is ALREADY_EXISTS (`payment_order_id_key`).
 */
export const authorize = defineRpc(PaymentService.method.authorize, {
  rules(request, check) {
    check.id("order_id", request.orderId);
    checkAmount(check, "amount", request.amount, true);
    if (check.required("payment_method_token", request.paymentMethodToken)) {
      check.maxLength("payment_method_token", request.paymentMethodToken, 255);
    }
    checkIdempotencyKey(check, request.idempotencyKey);
  },
  handler(deps: Payments) {
    return async (request, call) => {
      const { orm, cipher, psp } = deps;
      const caller = callerIdOf(call);
      const currencyCode = request.amount?.currencyCode ?? "";
      const amountMinor = Number(request.amount?.amountMinor ?? 0n);
      const requestHash = requestHashOf("AUTHORIZE", [
        request.orderId,
        currencyCode,
        amountMinor,
        request.paymentMethodToken,
      ]);

      const replay = async (key: IdempotencyKeyEntity): Promise<{ payment: Payment }> => {
        if (key.operation !== "AUTHORIZE" || key.requestHash !== requestHash) throw idempotencyKeyReused();
        return await run(key.paymentId, false);
      };

      const run = async (paymentId: string, isFresh: boolean): Promise<{ payment: Payment }> => {
        const payment = await findPayment(orm, paymentId);
        if (payment === null) throw new ConnectError("the payment was withdrawn meanwhile; retry", Code.Aborted);
        if (payment.state !== "PENDING") return await answer(payment);
        const token = cipher.openOrNull(payment.paymentToken, placeOf("payment.payment_token", payment.id));
        if (token === null) return await answer(payment);
        let outcome: Awaited<ReturnType<typeof psp.authorize>>;
        try {
          outcome = await psp.authorize(
            {
              amountMinor: payment.amountMinor,
              currencyCode: payment.currencyCode,
              token,
              metadata: { payment_id: payment.id, order_id: payment.orderId },
            },
            gatewayKeyOf("authorize", payment.id),
          );
        } catch (error) {
          const field = error instanceof PspRefusedError ? fieldOfRefusal[error.refusal] : undefined;
          if (field === undefined) throw gatewayFailure(error);
          // The gateway authorized nothing under this payment's key; a fresh request leaves no trace.
          if (isFresh) await discardPayment(orm, payment.id);
          throw invalidArgument(field, (error as Error).message);
        }
        const em = orm.em.fork();
        if (outcome.kind === "authorized") {
          if (!(await recordAuthorization(em, cipher, payment.id, outcome.intent))) {
            const now = await findPayment(orm, payment.id);
            if (now !== null) await cancelLateAuthorization(deps, em, now, outcome.intent);
          }
        } else {
          await recordAuthorizationFailure(em, cipher, payment.id, outcome);
        }
        return await answer((await findPayment(orm, payment.id)) ?? payment);
      };

      /** The first result of the request, from the payment it made. */
      const answer = async (payment: PaymentEntity): Promise<{ payment: Payment }> => {
        switch (payment.state) {
          case "DECLINED":
            throw paymentDeclined(payment.id, payment.declineCode, payment.failureMessage);
          case "FAILED":
            throw paymentFailed(payment.id, payment.failureMessage);
          case "PENDING":
            throw new ConnectError(
              "the authorization is still pending at the gateway; retry with the same idempotency key and request",
              Code.Unavailable,
            );
          case "VOIDED":
            if ((payment.authorizeTime ?? null) === null) {
              throw failedPrecondition(`payment ${payment.id} was voided before the gateway authorized it`);
            }
        }
        return { payment: await readPaymentMessage(orm, cipher, payment.id) };
      };

      const known = await findKey(orm, caller, request.idempotencyKey);
      if (known !== null) return await replay(known);

      const now = new Date();
      const paymentId = randomUUID();
      const payment: PaymentEntity = {
        id: paymentId,
        orderId: request.orderId,
        state: "PENDING",
        currencyCode,
        amountMinor,
        capturedMinor: 0,
        refundedMinor: 0,
        provider: psp.name,
        providerIntentId: null,
        paymentToken: cipher.seal(request.paymentMethodToken, placeOf("payment.payment_token", paymentId)),
        cardBrand: null,
        cardLast4: null,
        declineCode: "",
        failureMessage: "",
        createTime: now,
        updateTime: now,
        authorizeTime: null,
        authorizationExpireTime: null,
        captureTime: null,
        voidTime: null,
      };
      const key: IdempotencyKeyEntity = {
        caller,
        key: request.idempotencyKey,
        operation: "AUTHORIZE",
        requestHash,
        paymentId,
        refundId: null,
        createTime: now,
      };
      if (await insertPendingPayment(orm, payment, key)) return await run(paymentId, true);
      // Refused: the same key raced us (replay it), or the order has a payment under another key.
      const raced = await findKey(orm, caller, request.idempotencyKey);
      if (raced !== null) return await replay(raced);
      const existing = await findPaymentOfOrder(orm, request.orderId);
      if (existing === null)
        throw new ConnectError("a concurrent payment of the order was withdrawn; retry", Code.Aborted);
      throw orderAlreadyPaid(request.orderId, existing.id);
    };
  },
});
