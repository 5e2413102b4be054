/**
 * `@marquee/payment-gateway/webhooks`: what a webhook receiver needs. The gateway signs every delivery as
 * Stripe does, in the header `Gateway-Signature: t=<unix seconds>,v1=<hex>` where the hex is
 * HMAC-SHA256(secret, "<t>.<raw body>"). A receiver verifies the raw bytes it received (before parsing
 * them), rejects timestamps outside a tolerance (replays), and dedupes on the event's `id`.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { GatewayEvent } from "./api.js";

export type { GatewayEvent, GatewayEventType, PaymentIntentEventType } from "./api.js";

/** The header carrying the signature. */
export const signatureHeader = "Gateway-Signature";

/** Why a signature was refused. */
export type SignatureFailure =
  | "missing_header"
  | "malformed_header"
  | "timestamp_outside_tolerance"
  | "no_matching_signature";

/** Thrown by `verifyWebhookSignature`; `reason` says which check failed. */
export class WebhookSignatureError extends Error {
  constructor(
    readonly reason: SignatureFailure,
    message: string,
  ) {
    super(message);
    this.name = "WebhookSignatureError";
  }
}

/** Stripe's default tolerance: a signature older (or newer) than five minutes is refused. */
export const defaultToleranceSeconds = 300;

function hmacOf(rawBody: string | Uint8Array, timestamp: number, secret: string): Buffer {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(rawBody).digest();
}

/** How `verifyWebhookSignature` checks the timestamp; a bare number is `toleranceSeconds`. */
export interface VerifyOptions {
  /**
   * How far the signed timestamp may be from now, either way, in seconds.
   * @default 300
   */
  toleranceSeconds?: number;
  /** The current time, for tests. @default new Date() */
  now?: Date;
}

/** The `Gateway-Signature` value for a body signed at `timestamp` (unix seconds): for the gateway and for tests. */
export function signWebhookPayload(rawBody: string | Uint8Array, secret: string, timestamp: number): string {
  return `t=${timestamp},v1=${hmacOf(rawBody, timestamp, secret).toString("hex")}`;
}

/**
 * Checks that `rawBody` (the bytes as received, before any parsing) was signed with `secret` at most
 * `toleranceSeconds` from now, either way; throws a WebhookSignatureError naming the failed check
 * otherwise. Any one of several `v1` entries may match (as during a secret's rotation); the comparison
 * takes the same time wherever the bytes differ.
 */
export function verifyWebhookSignature(
  rawBody: string | Uint8Array,
  header: string | null | undefined,
  secret: string,
  options: VerifyOptions | number = {},
): void {
  const { toleranceSeconds = defaultToleranceSeconds, now = new Date() } =
    typeof options === "number" ? { toleranceSeconds: options } : options;
  if (header === undefined || header === null || header === "") {
    throw new WebhookSignatureError("missing_header", `no ${signatureHeader} header`);
  }
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(",")) {
    const [key, value] = part.trim().split("=", 2);
    if (key === "t" && value !== undefined && /^\d+$/.test(value)) timestamp = Number(value);
    else if (key === "v1" && value !== undefined && /^[\da-f]{64}$/i.test(value))
      signatures.push(Buffer.from(value, "hex"));
  }
  if (timestamp === undefined || signatures.length === 0) {
    throw new WebhookSignatureError("malformed_header", `${signatureHeader} needs t=<unix seconds> and v1=<hex>`);
  }
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
    throw new WebhookSignatureError(
      "timestamp_outside_tolerance",
      `signed at ${timestamp}, more than ${toleranceSeconds} s from now (${nowSeconds})`,
    );
  }
  const expected = hmacOf(rawBody, timestamp, secret);
  // Every candidate is compared, so the time taken does not say which one matched.
  let isMatch = false;
  for (const signature of signatures) {
    if (signature.length === expected.length && timingSafeEqual(signature, expected)) isMatch = true;
  }
  if (!isMatch) throw new WebhookSignatureError("no_matching_signature", "no signature matches the body and secret");
}

/** Verifies, then parses: the event a receiver may act on (after deduping its `id`). */
export function parseWebhookEvent(
  rawBody: string | Uint8Array,
  header: string | null | undefined,
  secret: string,
  options: VerifyOptions | number = {},
): GatewayEvent {
  verifyWebhookSignature(rawBody, header, secret, options);
  const text = typeof rawBody === "string" ? rawBody : Buffer.from(rawBody).toString("utf8");
  return JSON.parse(text) as GatewayEvent;
}
