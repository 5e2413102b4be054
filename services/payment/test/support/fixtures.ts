import { randomUUID } from "node:crypto";
import type { ConnectError } from "@marquee/mesh";
import { ErrorInfoSchema } from "@marquee/proto/google/rpc/error_details_pb.js";
import type { Payment } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import { cards, tokenize } from "./gateway.js";
import type { TestPayment } from "./testing.js";

/** `amount_minor` of USD as the proto has it. */
export function usd(amountMinor: number) {
  return { currencyCode: "USD", amountMinor: BigInt(amountMinor) };
}

/** The ErrorInfo detail of an error, if any. */
export function errorInfoOf(error: ConnectError) {
  return error.findDetails(ErrorInfoSchema)[0];
}

/** What an Authorize of a fresh order takes, with a fresh token of `card`. */
export async function authorizeRequest(payment: TestPayment, card: string = cards.success, amountMinor = 5000) {
  const orderId = randomUUID();
  return {
    orderId,
    amount: usd(amountMinor),
    paymentMethodToken: await tokenize(payment.gateway.url, card),
    idempotencyKey: `${orderId}:authorize`,
  };
}

/** An authorized payment of a fresh order. */
export async function authorized(
  payment: TestPayment,
  card: string = cards.success,
  amountMinor = 5000,
): Promise<Payment> {
  const response = await payment.client.authorize(await authorizeRequest(payment, card, amountMinor));
  if (response.payment === undefined) throw new Error("Authorize answered no payment");
  return response.payment;
}

/** A captured payment of a fresh order. */
export async function captured(payment: TestPayment, amountMinor = 5000): Promise<Payment> {
  const made = await authorized(payment, cards.success, amountMinor);
  const response = await payment.client.capture({ paymentId: made.id, idempotencyKey: `${made.orderId}:capture` });
  if (response.payment === undefined) throw new Error("Capture answered no payment");
  return response.payment;
}
