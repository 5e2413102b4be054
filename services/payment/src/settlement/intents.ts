import type { EntityManager } from "@mikro-orm/postgresql";
import type { FieldCipher } from "../crypto/field-cipher.js";
import { gatewayKeyOf } from "../domain/payment-rules.js";
import type { PaymentEntity } from "../entities/index.js";
import { type PspIntent, PspRefusedError } from "../gateway/psp.js";
import type { Payments } from "../payments.js";
import {
  recordAuthorization,
  recordAuthorizationFailure,
  recordCapture,
  recordLateIntent,
  recordVoid,
} from "../store/payments.js";

/**
 * What the gateway says of an intent, applied to its payment: the one rule shared by the RPCs that get an
 * answer and the webhooks that bring one later. Only forward moves apply (see `store/payments.ts`), so an
 * event that arrives late or twice changes nothing. A processing error is not final — the gateway keeps
 * the token for one more try, which a retried Authorize makes — so it leaves the payment PENDING.
 * Whether the payment changed.
 */
export async function applyIntent(
  em: EntityManager,
  cipher: FieldCipher,
  paymentId: string,
  intent: PspIntent,
): Promise<boolean> {
  switch (intent.status) {
    case "authorized":
      return await recordAuthorization(em, cipher, paymentId, intent);
    case "captured":
      return await recordCapture(em, cipher, paymentId, intent);
    case "canceled":
      return await recordVoid(em, cipher, paymentId, intent);
    case "unpaid":
      if (intent.lastError?.kind !== "declined") return false;
      return await recordAuthorizationFailure(em, cipher, paymentId, {
        kind: "declined",
        error: intent.lastError,
        intent,
      });
  }
}

/**
 * A payment voided while its authorization was unknown (PENDING) whose authorization the gateway made
 * after all — the first attempt's answer arrived late, or its webhook did: cancels that intent, so the
 * buyer's money is released now rather than when the authorization lapses. Safe to repeat: the cancel
 * carries the payment's void key.
 */
export async function cancelLateAuthorization(
  { psp, cipher, log }: Payments,
  em: EntityManager,
  payment: PaymentEntity,
  intent: PspIntent,
): Promise<void> {
  if (payment.state !== "VOIDED" || intent.status !== "authorized") return;
  try {
    await psp.void(intent.id, gatewayKeyOf("void", payment.id));
  } catch (error) {
    // Cancelled already, or captured by someone else: nothing left to release here.
    if (!(error instanceof PspRefusedError)) throw error;
    log.warn({ err: error, payment_id: payment.id }, "could not cancel a late authorization of a voided payment");
  }
  await recordLateIntent(em, cipher, payment.id, intent);
}
