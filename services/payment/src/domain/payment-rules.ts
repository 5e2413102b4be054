import { createHash } from "node:crypto";

/**
 * The payment service's pure rules: states, what may follow what, how requests are compared under an
 * idempotency key, and the keys the gateway is sent.
 */

/** PaymentState names as stored (the proto enum without its prefix). */
export type PaymentStateName =
  | "PENDING"
  | "AUTHORIZED"
  | "CAPTURED"
  | "VOIDED"
  | "REFUNDED"
  | "PARTIALLY_REFUNDED"
  | "DECLINED"
  | "FAILED";

/** PaymentRefundState names as stored. */
export type RefundStateName = "PENDING" | "SUCCEEDED" | "FAILED";

/** The operations an idempotency key may name. */
export type KeyedOperation = "AUTHORIZE" | "CAPTURE" | "REFUND";

/** States in which money was taken: refundable, not voidable. */
export const capturedStates: ReadonlySet<string> = new Set(["CAPTURED", "PARTIALLY_REFUNDED", "REFUNDED"]);

/** States that hold no money: Void returns them unchanged. */
export const moneylessStates: ReadonlySet<string> = new Set(["VOIDED", "DECLINED", "FAILED"]);

/** A captured payment's state from what is refunded (pending refunds count: that money is promised). */
export function stateAfterRefunds(capturedMinor: number, refundedMinor: number): PaymentStateName {
  if (refundedMinor <= 0) return "CAPTURED";
  return refundedMinor >= capturedMinor ? "REFUNDED" : "PARTIALLY_REFUNDED";
}

/** ISO 4217 alphabetic, upper case. */
export const currencyCodePattern = /^[A-Z]{3}$/;

/**
 * SHA-256 of a request's canonical form: the operation and its fields in a fixed order, so the same
 * request hashes alike and any other request (another amount, token, reason…) does not.
 */
export function requestHashOf(operation: KeyedOperation, fields: readonly (string | number)[]): string {
  return createHash("sha256")
    .update(JSON.stringify([operation, ...fields.map(String)]))
    .digest("hex");
}

/**
 * The idempotency key the gateway gets for an operation of a payment: derived from the payment's (or
 * refund's) own id, so every attempt and every resume of it sends the same key — across retries, RPC
 * retries and process restarts — and the gateway replays instead of moving money again.
 */
export function gatewayKeyOf(operation: "authorize" | "capture" | "void" | "refund", id: string): string {
  return `marquee-payment:${operation}:${id}`;
}
