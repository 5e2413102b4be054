import type { Database } from "@marquee/mesh";
import { IsolationLevel, LockMode, UniqueConstraintViolationException } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { FieldCipher } from "../crypto/field-cipher.js";
import { type PaymentStateName, stateAfterRefunds } from "../domain/payment-rules.js";
import { IdempotencyKeyEntity, PaymentEntity, PaymentRefundEntity } from "../entities/index.js";
import type { AuthorizeOutcome, PspIntent, PspRefund } from "../gateway/psp.js";

/**
 * The payment tables, read and changed. Every change of a payment's state is conditional on the states it
 * may come from, so the RPC that got the gateway's answer, a retry of it and a webhook carrying the same
 * news can race in any order: the first one changes the row, the others change nothing.
 */

/** Where a sealed value lives: bound into its ciphertext, so it opens only there. */
export function placeOf(column: string, id: string): string {
  return `${column}:${id}`;
}

export async function findPayment(orm: Database, id: string): Promise<PaymentEntity | null> {
  return await orm.em.fork().findOne(PaymentEntity, { id });
}

export async function findPaymentOfOrder(orm: Database, orderId: string): Promise<PaymentEntity | null> {
  return await orm.em.fork().findOne(PaymentEntity, { orderId });
}

export async function findRefund(orm: Database, id: string): Promise<PaymentRefundEntity | null> {
  return await orm.em.fork().findOne(PaymentRefundEntity, { id });
}

/** A payment's refunds, oldest first. */
export async function refundsOf(em: EntityManager, paymentId: string): Promise<PaymentRefundEntity[]> {
  return await em.find(PaymentRefundEntity, { paymentId }, { orderBy: { createTime: "asc", id: "asc" } });
}

/** A payment and its refunds, read at one instant. */
export interface PaymentSnapshot {
  readonly payment: PaymentEntity;
  readonly refunds: readonly PaymentRefundEntity[];
}

/**
 * A payment with its refunds, read in one REPEATABLE READ transaction, so a refund settling meanwhile
 * shows in both or in neither (never a FAILED refund beside a payment still counting it).
 */
export async function readSnapshot(orm: Database, id: string): Promise<PaymentSnapshot | null> {
  return await orm.em.fork().transactional(
    async (tx) => {
      const payment = await tx.findOne(PaymentEntity, { id });
      return payment === null ? null : { payment, refunds: await refundsOf(tx, id) };
    },
    { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
  );
}

/** The caller's key, if it was used before. */
export async function findKey(orm: Database, caller: string, key: string): Promise<IdempotencyKeyEntity | null> {
  return await orm.em.fork().findOne(IdempotencyKeyEntity, { caller, key });
}

/**
 * Inserts a PENDING payment and the caller's key for it, together. False when a unique constraint refused
 * them: the caller's key is taken (by a concurrent same request, or another one) or the order has a
 * payment; the caller reads which.
 */
export async function insertPendingPayment(
  orm: Database,
  payment: PaymentEntity,
  key: IdempotencyKeyEntity,
): Promise<boolean> {
  return await isInsertedOnce(() =>
    orm.em.fork().transactional(async (tx) => {
      await tx.insert(PaymentEntity, payment);
      await tx.insert(IdempotencyKeyEntity, key);
    }),
  );
}

/** Inserts a caller's key; false when the key or the operation's unique index is taken. */
export async function insertKey(orm: Database, key: IdempotencyKeyEntity): Promise<boolean> {
  return await isInsertedOnce(() => orm.em.fork().insert(IdempotencyKeyEntity, key));
}

/**
 * Forgets a payment the gateway refused before it authorized anything (a bad token or currency): the
 * request was invalid, so, as with any INVALID_ARGUMENT, nothing stays of it and the order may try again.
 */
export async function discardPayment(orm: Database, paymentId: string): Promise<void> {
  await orm.em.fork().transactional(async (tx) => {
    await tx.nativeDelete(IdempotencyKeyEntity, { paymentId });
    await tx.nativeDelete(PaymentEntity, { id: paymentId, state: "PENDING" });
  });
}

/** Changes a payment only while it is in one of `from`; whether it did. */
export async function updatePayment(
  em: EntityManager,
  id: string,
  from: readonly PaymentStateName[],
  changes: Partial<PaymentEntity>,
): Promise<boolean> {
  const changed = await em.nativeUpdate(
    PaymentEntity,
    { id, state: { $in: [...from] } },
    { ...changes, updateTime: new Date() },
  );
  return changed > 0;
}

/** The sealed columns of what the gateway says of an intent: its id and its card. */
function intentColumns(cipher: FieldCipher, paymentId: string, intent: PspIntent): Partial<PaymentEntity> {
  return {
    providerIntentId: cipher.seal(intent.id, placeOf("payment.provider_intent_id", paymentId)),
    ...(intent.card === undefined
      ? {}
      : {
          cardBrand: cipher.seal(intent.card.brand, placeOf("payment.card_brand", paymentId)),
          cardLast4: cipher.seal(intent.card.last4, placeOf("payment.card_last4", paymentId)),
        }),
  };
}

/** PENDING → AUTHORIZED; the token is spent, so it is dropped. */
export async function recordAuthorization(
  em: EntityManager,
  cipher: FieldCipher,
  paymentId: string,
  intent: PspIntent,
): Promise<boolean> {
  return await updatePayment(em, paymentId, ["PENDING"], {
    state: "AUTHORIZED",
    ...intentColumns(cipher, paymentId, intent),
    paymentToken: null,
    authorizeTime: new Date(),
    authorizationExpireTime: intent.authorizationExpireTime ?? null,
  });
}

/** PENDING → DECLINED or FAILED, as the gateway answered; the token is spent. */
export async function recordAuthorizationFailure(
  em: EntityManager,
  cipher: FieldCipher,
  paymentId: string,
  outcome: Exclude<AuthorizeOutcome, { kind: "authorized" }>,
): Promise<boolean> {
  const isDecline = outcome.kind === "declined";
  return await updatePayment(em, paymentId, ["PENDING"], {
    state: isDecline ? "DECLINED" : "FAILED",
    ...(outcome.intent === undefined ? {} : intentColumns(cipher, paymentId, outcome.intent)),
    paymentToken: null,
    declineCode: isDecline ? outcome.error.declineCode : "",
    failureMessage: outcome.error.message,
  });
}

/** AUTHORIZED (or a PENDING one whose answer was missed) → CAPTURED, with what the gateway took. */
export async function recordCapture(
  em: EntityManager,
  cipher: FieldCipher,
  paymentId: string,
  intent: PspIntent,
): Promise<boolean> {
  const now = new Date();
  if (
    await updatePayment(em, paymentId, ["AUTHORIZED"], {
      state: "CAPTURED",
      capturedMinor: intent.capturedMinor,
      captureTime: now,
    })
  ) {
    return true;
  }
  return await updatePayment(em, paymentId, ["PENDING"], {
    state: "CAPTURED",
    ...intentColumns(cipher, paymentId, intent),
    paymentToken: null,
    authorizeTime: now,
    capturedMinor: intent.capturedMinor,
    captureTime: now,
  });
}

/** PENDING or AUTHORIZED → VOIDED (cancelled, or the authorization lapsed); the token is dropped. */
export async function recordVoid(
  em: EntityManager,
  cipher: FieldCipher,
  paymentId: string,
  intent: PspIntent | undefined,
): Promise<boolean> {
  return await updatePayment(em, paymentId, ["PENDING", "AUTHORIZED"], {
    state: "VOIDED",
    ...(intent === undefined ? {} : intentColumns(cipher, paymentId, intent)),
    paymentToken: null,
    authorizationExpireTime: null,
    voidTime: new Date(),
  });
}

/**
 * Records the intent of a payment voided while its authorization was still unknown, once the gateway
 * reveals it (so the payment shows the intent it cancelled).
 */
export async function recordLateIntent(
  em: EntityManager,
  cipher: FieldCipher,
  paymentId: string,
  intent: PspIntent,
): Promise<void> {
  await em.nativeUpdate(
    PaymentEntity,
    { id: paymentId, providerIntentId: null },
    { ...intentColumns(cipher, paymentId, intent), updateTime: new Date() },
  );
}

/** What `reserveRefund` decided. */
export type Reservation =
  | { readonly kind: "reserved" }
  | { readonly kind: "conflict" }
  | { readonly kind: "refused"; readonly reason: "state" | "amount"; readonly payment: PaymentEntity };

/**
 * Reserves a refund's amount against the payment under a row lock, with the refund and the caller's key,
 * so two refunds racing can never together pass the capture (the check constraint
 * `payment_refunds_within_capture` holds even if this code were wrong). Pending refunds count as
 * refunded: that money is promised.
 */
export async function reserveRefund(
  orm: Database,
  refund: PaymentRefundEntity,
  key: IdempotencyKeyEntity,
  isRefundable: (payment: PaymentEntity) => boolean,
): Promise<Reservation> {
  let refused: Reservation | undefined;
  const isInserted = await isInsertedOnce(() =>
    orm.em.fork().transactional(async (tx) => {
      const payment = await tx.findOne(
        PaymentEntity,
        { id: refund.paymentId },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      if (payment === null || !isRefundable(payment)) {
        refused = { kind: "refused", reason: "state", payment: payment as PaymentEntity };
        return;
      }
      if (refund.amountMinor > payment.capturedMinor - payment.refundedMinor) {
        refused = { kind: "refused", reason: "amount", payment };
        return;
      }
      await tx.insert(PaymentRefundEntity, refund);
      await tx.insert(IdempotencyKeyEntity, key);
      const refundedMinor = payment.refundedMinor + refund.amountMinor;
      await tx.nativeUpdate(
        PaymentEntity,
        { id: payment.id },
        { refundedMinor, state: stateAfterRefunds(payment.capturedMinor, refundedMinor), updateTime: new Date() },
      );
    }),
  );
  if (refused !== undefined) return refused;
  return isInserted ? { kind: "reserved" } : { kind: "conflict" };
}

/**
 * Settles a PENDING refund as the gateway reports it: its id, and SUCCEEDED or FAILED. A failed refund
 * gives its amount back to what may be refunded, and the payment's state follows. Whether it changed.
 */
export async function settleRefund(
  em: EntityManager,
  cipher: FieldCipher,
  refundId: string,
  result: { readonly refund?: PspRefund; readonly failureMessage?: string },
): Promise<boolean> {
  return await em.transactional(async (tx) => {
    const refund = await tx.findOne(PaymentRefundEntity, { id: refundId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (refund === null || refund.state !== "PENDING") return false;
    const status = result.refund?.status ?? "failed";
    const providerRefundId =
      result.refund === undefined
        ? refund.providerRefundId
        : cipher.seal(result.refund.id, placeOf("payment_refund.provider_refund_id", refundId));
    if (status === "pending") {
      if ((refund.providerRefundId ?? null) !== null) return false;
      await tx.nativeUpdate(PaymentRefundEntity, { id: refundId }, { providerRefundId });
      return true;
    }
    const isFailed = status === "failed";
    await tx.nativeUpdate(
      PaymentRefundEntity,
      { id: refundId },
      {
        state: isFailed ? "FAILED" : "SUCCEEDED",
        providerRefundId,
        failureMessage: isFailed ? (result.failureMessage ?? result.refund?.failureReason ?? "refund failed") : "",
        completeTime: new Date(),
      },
    );
    if (isFailed) {
      const payment = await tx.findOneOrFail(
        PaymentEntity,
        { id: refund.paymentId },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      const refundedMinor = payment.refundedMinor - refund.amountMinor;
      await tx.nativeUpdate(
        PaymentEntity,
        { id: payment.id },
        {
          refundedMinor,
          state: stateAfterRefunds(payment.capturedMinor, refundedMinor),
          updateTime: new Date(),
        },
      );
    }
    return true;
  });
}

/** Runs an insert; false when a unique constraint refused it. */
async function isInsertedOnce(insert: () => Promise<unknown>): Promise<boolean> {
  try {
    await insert();
    return true;
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) return false;
    throw error;
  }
}
