/**
 * The seam between the payment service and a payment gateway (PSP): what the service asks of any PSP, in
 * its own words. `SimulatorAdapter` implements it over the simulator's HTTP API; a Stripe adapter would
 * implement it over Stripe's (payment intents with manual capture, refunds, signed webhooks), which the
 * simulator mimics. Amounts are minor units; currencies ISO 4217 in upper case, as `Money` has them.
 *
 * Every mutating call takes an idempotency key that the adapter passes to the PSP unchanged on every
 * attempt, so a retried call — by the adapter after a timeout, or by the service resuming a PENDING
 * payment — never moves money twice.
 */
export interface PaymentServiceProvider {
  /** The adapter's name, kept on each payment (`Payment.provider`), e.g. "simulator", "stripe". */
  readonly name: string;
  /** Reserves an amount on a card token: authorized, or declined/failed as an outcome (not an error). */
  authorize(request: AuthorizeCall, idempotencyKey: string): Promise<AuthorizeOutcome>;
  /** Takes `amountMinor` of an authorized intent (the rest is released). */
  capture(intentId: string, amountMinor: number, idempotencyKey: string): Promise<PspIntent>;
  /** Cancels an uncaptured intent. */
  void(intentId: string, idempotencyKey: string): Promise<PspIntent>;
  /** Returns part or all of a captured intent. */
  refund(request: RefundCall, idempotencyKey: string): Promise<PspRefund>;
  /** Reads an intent. */
  getIntent(intentId: string): Promise<PspIntent>;
  /** Reads a refund. */
  getRefund(refundId: string): Promise<PspRefund>;
  /**
   * Checks a webhook delivery's signature over its raw bytes and parses it; throws a
   * WebhookRejectedError when the signature is missing, wrong or too old.
   */
  verifyWebhook(rawBody: Buffer, headers: Readonly<Record<string, string | string[] | undefined>>): PspEvent;
  /** The circuit breaker's state, for readiness and tests: "closed", "half-open" or "open". */
  breakerState(): string;
}

/** What Authorize sends. `metadata` travels back on the PSP's webhooks (the payment and order ids). */
export interface AuthorizeCall {
  readonly amountMinor: number;
  readonly currencyCode: string;
  readonly token: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** What Refund sends. */
export interface RefundCall {
  readonly intentId: string;
  readonly amountMinor: number;
  readonly metadata: Readonly<Record<string, string>>;
}

/** A card as the PSP reports it: never its number. */
export interface PspCard {
  /** Lower case: "visa", "mastercard", … */
  readonly brand: string;
  readonly last4: string;
}

/** Where a PSP's intent is, in the service's terms. */
export type PspIntentStatus = "unpaid" | "authorized" | "captured" | "canceled";

/** A PSP's payment intent. */
export interface PspIntent {
  readonly id: string;
  readonly status: PspIntentStatus;
  readonly amountMinor: number;
  readonly capturedMinor: number;
  readonly currencyCode: string;
  readonly card: PspCard | undefined;
  /** When an uncaptured authorization lapses. */
  readonly authorizationExpireTime: Date | undefined;
  /** Why the last authorization failed, while `unpaid`. */
  readonly lastError: PspCardError | undefined;
  readonly metadata: Readonly<Record<string, string>>;
}

/** A failed authorization: a decline, or a failure for another reason. */
export interface PspCardError {
  readonly kind: "declined" | "failed";
  /** Lower snake case, e.g. "insufficient_funds"; for a decline. */
  readonly declineCode: string;
  readonly message: string;
}

/** How an authorization ended, when the PSP answered. */
export type AuthorizeOutcome =
  | { readonly kind: "authorized"; readonly intent: PspIntent }
  | { readonly kind: "declined" | "failed"; readonly error: PspCardError; readonly intent: PspIntent | undefined };

/** A PSP's refund. */
export interface PspRefund {
  readonly id: string;
  readonly intentId: string;
  readonly status: "pending" | "succeeded" | "failed";
  readonly amountMinor: number;
  readonly failureReason: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** A verified webhook event, with the object it carries. */
export type PspEvent = { readonly id: string; readonly type: string } & (
  | { readonly kind: "intent"; readonly intent: PspIntent }
  | { readonly kind: "refund"; readonly refund: PspRefund }
  | { readonly kind: "other" }
);

/** The PSP could not be reached, answered with a server error, or the circuit breaker is open. */
export class PspUnavailableError extends Error {
  override readonly name = "PspUnavailableError";
}

/** The PSP did not answer in time: the call may or may not have taken effect. */
export class PspTimeoutError extends Error {
  override readonly name = "PspTimeoutError";
}

/** Why a PSP refused a call for good. */
export type PspRefusal =
  /** The card token is unknown, spent or expired. */
  | "invalid_token"
  /** The PSP does not take the currency. */
  | "invalid_currency"
  /** The amount is out of the PSP's range, or more than can be captured or refunded. */
  | "invalid_amount"
  /** The intent's state forbids it (`intent` says which state). */
  | "unexpected_state"
  /** The authorization lapsed before the capture. */
  | "authorization_expired"
  /** Anything else: a bug on one side, answered INTERNAL. */
  | "rejected";

/** The PSP answered and refused the call: retrying the same call cannot succeed. */
export class PspRefusedError extends Error {
  override readonly name = "PspRefusedError";
  constructor(
    readonly refusal: PspRefusal,
    message: string,
    readonly intent?: PspIntent,
  ) {
    super(message);
  }
}

/** A webhook delivery that is not proven to come from the PSP: answered 400. */
export class WebhookRejectedError extends Error {
  override readonly name = "WebhookRejectedError";
}
