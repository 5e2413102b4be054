import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { type Timestamp, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type Database } from "@marquee/mesh";
import type { MoneySchema } from "@marquee/proto/marquee/api/v1/money_pb.js";
import {
  type Payment,
  type PaymentRefund,
  PaymentRefundSchema,
  PaymentRefundState,
  PaymentSchema,
  PaymentState,
} from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import type { FieldCipher } from "../crypto/field-cipher.js";
import type { PaymentRefundEntity } from "../entities/index.js";
import { type PaymentSnapshot, placeOf, readSnapshot } from "./payments.js";

/** The proto mapping of the payment service, in one place: rows to `Payment` and `PaymentRefund`, sealed columns opened. */

function money(currencyCode: string, amountMinor: number): MessageInitShape<typeof MoneySchema> {
  return { currencyCode, amountMinor: BigInt(amountMinor) };
}

function time(date: Date | null | undefined): Timestamp | undefined {
  return date === null || date === undefined ? undefined : timestampFromDate(date);
}

/** A refund row as the proto has it. */
export function refundMessage(cipher: FieldCipher, refund: PaymentRefundEntity): PaymentRefund {
  return create(PaymentRefundSchema, {
    id: refund.id,
    amount: money(refund.currencyCode, refund.amountMinor),
    reason: refund.reason,
    state: PaymentRefundState[refund.state as keyof typeof PaymentRefundState],
    providerRefundId:
      cipher.openOrNull(refund.providerRefundId, placeOf("payment_refund.provider_refund_id", refund.id)) ?? "",
    failureMessage: refund.failureMessage,
    createTime: time(refund.createTime),
    completeTime: time(refund.completeTime),
  });
}

/** A payment and its refunds as the proto has them. */
export function paymentMessage(cipher: FieldCipher, { payment, refunds }: PaymentSnapshot): Payment {
  const open = (column: string, value: string | null | undefined) =>
    cipher.openOrNull(value, placeOf(`payment.${column}`, payment.id)) ?? "";
  return create(PaymentSchema, {
    id: payment.id,
    orderId: payment.orderId,
    state: PaymentState[payment.state as keyof typeof PaymentState],
    amount: money(payment.currencyCode, payment.amountMinor),
    capturedAmount: money(payment.currencyCode, payment.capturedMinor),
    refundedAmount: money(payment.currencyCode, payment.refundedMinor),
    provider: payment.provider,
    providerPaymentIntentId: open("provider_intent_id", payment.providerIntentId),
    cardBrand: open("card_brand", payment.cardBrand),
    cardLast4: open("card_last4", payment.cardLast4),
    declineCode: payment.state === "DECLINED" ? payment.declineCode : "",
    failureMessage: payment.state === "DECLINED" || payment.state === "FAILED" ? payment.failureMessage : "",
    refunds: refunds.map((refund) => refundMessage(cipher, refund)),
    createTime: time(payment.createTime),
    updateTime: time(payment.updateTime),
    authorizeTime: time(payment.authorizeTime),
    authorizationExpireTime: payment.state === "AUTHORIZED" ? time(payment.authorizationExpireTime) : undefined,
    captureTime: time(payment.captureTime),
    voidTime: time(payment.voidTime),
  });
}

/** The payment `id` as the proto has it, read now (a row the handler just changed or read). */
export async function readPaymentMessage(orm: Database, cipher: FieldCipher, id: string): Promise<Payment> {
  const snapshot = await readSnapshot(orm, id);
  if (snapshot === null) throw new ConnectError(`payment ${id} vanished`, Code.Internal);
  return paymentMessage(cipher, snapshot);
}
