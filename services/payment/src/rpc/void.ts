import { Code, ConnectError, defineRpc, failedPrecondition, notFound } from "@marquee/mesh";
import type { Payment } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import { PaymentService } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import { gatewayFailure } from "../api/errors.js";
import { capturedStates, gatewayKeyOf, moneylessStates } from "../domain/payment-rules.js";
import { type PspIntent, PspRefusedError } from "../gateway/psp.js";
import type { Payments } from "../payments.js";
import { applyIntent } from "../settlement/intents.js";
import { readPaymentMessage } from "../store/messages.js";
import { findPayment, placeOf, recordVoid } from "../store/payments.js";

/**
 * PaymentService.Void. An AUTHORIZED payment's intent is cancelled at the gateway (under the payment's
 * void key, so a retry replays). A PENDING one is voided here at once and its token dropped, so nothing
 * resumes it; should the gateway have authorized it after all, the late answer or its webhook cancels
 * that intent (`cancelLateAuthorization`). Voiding what holds no money returns it unchanged.
 */
export const voidPayment = defineRpc(PaymentService.method.void, {
  rules(request, check) {
    check.id("payment_id", request.paymentId);
  },
  handler({ orm, cipher, psp }: Payments) {
    return async (request) => {
      const answer = async (id: string): Promise<{ payment: Payment }> => ({
        payment: await readPaymentMessage(orm, cipher, id),
      });
      // A state read here may change before the conditional write; then the loop reads it again.
      for (let round = 0; round < 3; round++) {
        const payment = await findPayment(orm, request.paymentId);
        if (payment === null) throw notFound("payment", request.paymentId);
        if (moneylessStates.has(payment.state)) return await answer(payment.id);
        if (capturedStates.has(payment.state)) {
          throw failedPrecondition(`payment ${payment.id} is ${payment.state}: refund it instead`);
        }
        const em = orm.em.fork();
        if (payment.state === "PENDING") {
          if (await recordVoid(em, cipher, payment.id, undefined)) return await answer(payment.id);
          continue;
        }
        const intentId = cipher.open(payment.providerIntentId ?? "", placeOf("payment.provider_intent_id", payment.id));
        let intent: PspIntent;
        try {
          intent = await psp.void(intentId, gatewayKeyOf("void", payment.id));
        } catch (error) {
          if (
            !(error instanceof PspRefusedError) ||
            error.refusal !== "unexpected_state" ||
            error.intent === undefined
          ) {
            throw gatewayFailure(error);
          }
          // Captured or cancelled at the gateway meanwhile: follow it, then answer from the new state.
          await applyIntent(em, cipher, payment.id, error.intent);
          continue;
        }
        await recordVoid(em, cipher, payment.id, intent);
        return await answer(payment.id);
      }
      throw new ConnectError("the payment kept changing during the void; retry", Code.Aborted);
    };
  },
});
