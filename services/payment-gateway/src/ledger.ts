import type {
  CancellationReason,
  CaptureMethod,
  Charge,
  GatewayEvent,
  PaymentError,
  PaymentIntent,
  Refund,
  RefundReason,
  Token,
} from "./api.js";
import type { ValidCard } from "./domain/card.js";
import { behaviourOf, type CardBehaviour } from "./domain/test-cards.js";
import { GatewayError, invalidRequest, notFound, unexpectedState } from "./errors.js";
import { newId, unixSeconds } from "./ids.js";
import type { Timers } from "./timers.js";

type DraftOf<E> = E extends GatewayEvent ? { type: E["type"]; object: E["data"]["object"] } : never;

/** An event to send, before it has an id: the type and the object it carries. */
export type EventDraft = DraftOf<GatewayEvent>;

export interface LedgerOptions {
  /** How long a token stays usable. */
  tokenTtlMs: number;
  /** How long an uncaptured authorization holds before it lapses. */
  authorizationTtlMs: number;
  /** How long a refund stays `pending`; 0 settles it at once (except on the refund-failing card). */
  refundSettleMs: number;
  timers: Timers;
  emit(event: EventDraft): void;
}

interface StoredToken {
  token: Token;
  /** Kept only to pick the test card's behaviour; never answered, never logged. */
  number: string;
  expiresAtMs: number;
  /** Whether the processing-error card already failed once with this token (the next attempt succeeds). */
  hasFailedProcessing?: boolean;
}

interface StoredIntent {
  intent: PaymentIntent;
  behaviour?: CardBehaviour;
  /** When the authorization lapses, to the millisecond (`capture_before` is in seconds). */
  lapsesAtMs?: number;
  chargeCreated?: number;
  refundIds: string[];
}

/** Whether the intent was paid with the card whose refunds fail (settled as `failed`). */
function refundsFail(stored: StoredIntent): boolean {
  return stored.behaviour?.kind === "succeed" && stored.behaviour.refundsFail === true;
}

/** What an authorization asks for, already validated. */
export interface AuthorizationRequest {
  amount: number;
  currency: string;
  captureMethod: CaptureMethod;
  metadata: Record<string, string>;
  description: string | null;
}

/**
 * The gateway's state, in memory, and every rule about it: tokens are single-use and expire, an
 * authorization consumes its token whatever the outcome, capture and cancel only from the statuses Stripe
 * allows, and refunds that did not fail never add up to more than was captured. Every change is
 * synchronous, so no two requests interleave inside one; the events it emits carry snapshots.
 */
export class Ledger {
  private readonly tokens = new Map<string, StoredToken>();
  private readonly intents = new Map<string, StoredIntent>();
  private readonly refunds = new Map<string, Refund>();

  constructor(private readonly options: LedgerOptions) {}

  createToken(card: ValidCard): Token {
    const now = Date.now();
    const expiresAtMs = now + this.options.tokenTtlMs;
    const token: Token = {
      id: newId("tok"),
      object: "token",
      type: "card",
      card: card.details,
      created: unixSeconds(now),
      used: false,
      expires_at: unixSeconds(expiresAtMs),
      livemode: false,
    };
    this.tokens.set(token.id, { token, number: card.number, expiresAtMs });
    return structuredClone(token);
  }

  /** The behaviour of an unspent token's card; 400 naming `token` when it is unknown, used or expired. */
  behaviourOfToken(id: string): CardBehaviour {
    return behaviourOf(this.usableToken(id).number);
  }

  /** Authorizes a new intent on a token. A decline records the intent and throws a 402 carrying it. */
  authorize(request: AuthorizationRequest, tokenId: string): PaymentIntent {
    const token = this.usableToken(tokenId);
    const intent: PaymentIntent = {
      id: newId("pi"),
      object: "payment_intent",
      amount: request.amount,
      amount_capturable: 0,
      amount_received: 0,
      currency: request.currency,
      status: "requires_payment_method",
      capture_method: request.captureMethod,
      card: null,
      capture_before: null,
      canceled_at: null,
      cancellation_reason: null,
      last_payment_error: null,
      latest_charge: null,
      metadata: request.metadata,
      description: request.description,
      created: unixSeconds(Date.now()),
      livemode: false,
    };
    const stored: StoredIntent = { intent, refundIds: [] };
    this.intents.set(intent.id, stored);
    return this.attempt(stored, token);
  }

  /** Authorizes again, with a new token, an intent whose last authorization failed. */
  confirm(intentId: string, tokenId: string): PaymentIntent {
    this.checkConfirmable(intentId);
    return this.attempt(this.stored(intentId), this.usableToken(tokenId));
  }

  /** 404 for an unknown intent, 400 unless its last authorization failed. */
  checkConfirmable(intentId: string): void {
    const stored = this.stored(intentId);
    if (stored.intent.status !== "requires_payment_method") {
      throw unexpectedState(this.snapshot(stored), "confirmed", ["requires_payment_method"]);
    }
  }

  capture(intentId: string, amountToCapture: number | undefined, metadata?: Record<string, string>): PaymentIntent {
    const stored = this.stored(intentId);
    const { intent } = stored;
    if (intent.status === "requires_capture" && Date.now() >= (stored.lapsesAtMs ?? Infinity)) this.lapse(stored);
    // Whether the lapse timer already ran or not, a lapsed authorization answers the same.
    if (intent.status === "canceled" && intent.cancellation_reason === "automatic") {
      throw new GatewayError(
        400,
        "invalid_request_error",
        "charge_expired_for_capture",
        "The authorization lapsed before it was captured; the PaymentIntent is canceled.",
        { payment_intent: this.snapshot(stored) },
      );
    }
    if (intent.status !== "requires_capture") {
      throw unexpectedState(this.snapshot(stored), "captured", ["requires_capture"]);
    }
    const amount = amountToCapture ?? intent.amount_capturable;
    if (amount > intent.amount_capturable) {
      throw invalidRequest(
        "amount_too_large",
        `amount_to_capture (${amount}) is greater than the amount capturable (${intent.amount_capturable}).`,
        "amount_to_capture",
      );
    }
    // A partial capture releases the rest of the authorization, as Stripe does.
    intent.amount_received = amount;
    intent.amount_capturable = 0;
    intent.status = "succeeded";
    intent.capture_before = null;
    if (metadata !== undefined) intent.metadata = { ...intent.metadata, ...metadata };
    this.options.emit({ type: "payment_intent.succeeded", object: this.snapshot(stored) });
    return this.snapshot(stored);
  }

  cancel(intentId: string, reason: Exclude<CancellationReason, "automatic"> | undefined): PaymentIntent {
    const stored = this.stored(intentId);
    const allowed = ["requires_payment_method", "requires_capture"];
    if (!allowed.includes(stored.intent.status)) throw unexpectedState(this.snapshot(stored), "canceled", allowed);
    this.end(stored, reason ?? null);
    return this.snapshot(stored);
  }

  refund(
    intentId: string,
    amount: number | undefined,
    reason: RefundReason | undefined,
    metadata: Record<string, string>,
  ): Refund {
    const stored = this.intents.get(intentId);
    if (stored === undefined) {
      throw invalidRequest("resource_missing", `No such payment_intent: '${intentId}'`, "payment_intent");
    }
    const { intent } = stored;
    if (intent.status !== "succeeded") {
      throw new GatewayError(
        400,
        "invalid_request_error",
        "payment_intent_unexpected_state",
        `This PaymentIntent has a status of ${intent.status}: only a captured (succeeded) PaymentIntent can be ` +
          "refunded; cancel an uncaptured one instead.",
        { param: "payment_intent", payment_intent: this.snapshot(stored) },
      );
    }
    const refundable = intent.amount_received - this.refundedOf(stored);
    if (refundable === 0) {
      throw invalidRequest(
        "charge_already_refunded",
        `PaymentIntent ${intent.id} is already fully refunded.`,
        "payment_intent",
      );
    }
    const value = amount ?? refundable;
    if (value > refundable) {
      throw invalidRequest(
        "amount_too_large",
        `Refund amount (${value}) is greater than the unrefunded amount captured (${refundable}).`,
        "amount",
      );
    }
    const isSettledNow = this.options.refundSettleMs === 0 && !refundsFail(stored);
    const refund: Refund = {
      id: newId("re"),
      object: "refund",
      amount: value,
      currency: intent.currency,
      payment_intent: intent.id,
      charge: intent.latest_charge ?? "",
      status: isSettledNow ? "succeeded" : "pending",
      reason: reason ?? null,
      failure_reason: null,
      metadata,
      created: unixSeconds(Date.now()),
      livemode: false,
    };
    this.refunds.set(refund.id, refund);
    stored.refundIds.push(refund.id);
    this.options.emit({ type: "charge.refunded", object: this.chargeOf(stored) });
    if (!isSettledNow) this.options.timers.after(this.options.refundSettleMs, () => this.settle(refund, stored));
    return structuredClone(refund);
  }

  paymentIntent(id: string): PaymentIntent {
    const stored = this.stored(id);
    // A lapse is also applied on read, so no answer shows a capturable authorization past capture_before.
    if (stored.intent.status === "requires_capture" && Date.now() >= (stored.lapsesAtMs ?? Infinity)) {
      this.lapse(stored);
    }
    return this.snapshot(stored);
  }

  refundNamed(id: string): Refund {
    const refund = this.refunds.get(id);
    if (refund === undefined) throw notFound("refund", id);
    return structuredClone(refund);
  }

  refundsOf(intentId: string): Refund[] {
    const stored = this.intents.get(intentId);
    if (stored === undefined) {
      throw invalidRequest("resource_missing", `No such payment_intent: '${intentId}'`, "payment_intent");
    }
    return stored.refundIds.map((id) => this.refundNamed(id));
  }

  /** Forgets tokens past their expiry (a used or lapsed token answers the same either way). */
  prune(nowMs: number): void {
    for (const [id, stored] of this.tokens) if (stored.expiresAtMs <= nowMs) this.tokens.delete(id);
  }

  private usableToken(id: string): StoredToken {
    const stored = this.tokens.get(id);
    if (stored === undefined) throw invalidRequest("resource_missing", `No such token: '${id}'`, "token");
    if (stored.token.used) {
      throw invalidRequest("token_already_used", `You cannot use a token more than once: ${id}.`, "token");
    }
    if (Date.now() >= stored.expiresAtMs) {
      throw invalidRequest("token_expired", `The token ${id} expired; tokenize the card again.`, "token");
    }
    return stored;
  }

  /**
   * One authorization attempt: spends the token and succeeds or records the decline and throws it; the
   * processing-error card's first failure leaves the token unspent instead.
   */
  private attempt(stored: StoredIntent, token: StoredToken): PaymentIntent {
    const behaviour = behaviourOf(token.number);
    const { intent } = stored;
    intent.card = token.token.card;
    if (behaviour.kind === "processingError" && token.hasFailedProcessing !== true) {
      token.hasFailedProcessing = true;
      this.fail(stored, { type: "card_error", code: "processing_error", message: behaviour.message });
    }
    token.token.used = true;
    if (behaviour.kind === "decline") {
      this.fail(stored, {
        type: "card_error",
        code: behaviour.code,
        ...(behaviour.declineCode === undefined ? {} : { decline_code: behaviour.declineCode }),
        message: behaviour.message,
      });
    }
    // A hanging card never reaches here: the route waits before spending the token (see payment-intents.ts).
    stored.behaviour = behaviour;
    stored.chargeCreated = unixSeconds(Date.now());
    intent.last_payment_error = null;
    intent.latest_charge = newId("ch");
    if (intent.capture_method === "automatic") {
      intent.amount_received = intent.amount;
      intent.status = "succeeded";
      this.options.emit({ type: "payment_intent.succeeded", object: this.snapshot(stored) });
      return this.snapshot(stored);
    }
    const lapsesAtMs = Date.now() + this.options.authorizationTtlMs;
    stored.lapsesAtMs = lapsesAtMs;
    intent.amount_capturable = intent.amount;
    intent.capture_before = unixSeconds(lapsesAtMs);
    intent.status = "requires_capture";
    this.options.timers.after(this.options.authorizationTtlMs, () => {
      if (stored.intent.status === "requires_capture") this.lapse(stored);
    });
    this.options.emit({ type: "payment_intent.amount_capturable_updated", object: this.snapshot(stored) });
    return this.snapshot(stored);
  }

  /** Records a failed authorization (the intent stays `requires_payment_method`) and throws it as a 402. */
  private fail(stored: StoredIntent, error: PaymentError): never {
    stored.intent.last_payment_error = error;
    const snapshot = this.snapshot(stored);
    this.options.emit({ type: "payment_intent.payment_failed", object: snapshot });
    throw new GatewayError(402, "card_error", error.code, error.message, {
      ...(error.decline_code === undefined ? {} : { decline_code: error.decline_code }),
      payment_intent: snapshot,
    });
  }

  /** An uncaptured authorization past capture_before: released, as a card network does after ~7 days. */
  private lapse(stored: StoredIntent): void {
    this.end(stored, "automatic");
  }

  private end(stored: StoredIntent, reason: CancellationReason | null): void {
    const { intent } = stored;
    intent.status = "canceled";
    intent.amount_capturable = 0;
    intent.capture_before = null;
    intent.canceled_at = unixSeconds(Date.now());
    intent.cancellation_reason = reason;
    this.options.emit({ type: "payment_intent.canceled", object: this.snapshot(stored) });
  }

  private settle(refund: Refund, stored: StoredIntent): void {
    const isFailing = refundsFail(stored);
    refund.status = isFailing ? "failed" : "succeeded";
    if (isFailing) refund.failure_reason = "expired_or_canceled_card";
    this.options.emit({ type: "refund.updated", object: structuredClone(refund) });
  }

  private refundedOf(stored: StoredIntent): number {
    let sum = 0;
    for (const id of stored.refundIds) {
      const refund = this.refunds.get(id);
      if (refund !== undefined && refund.status !== "failed") sum += refund.amount;
    }
    return sum;
  }

  private chargeOf(stored: StoredIntent): Charge {
    const { intent } = stored;
    const refunded = this.refundedOf(stored);
    return {
      id: intent.latest_charge ?? "",
      object: "charge",
      payment_intent: intent.id,
      amount: intent.amount,
      amount_captured: intent.amount_received,
      amount_refunded: refunded,
      captured: intent.amount_received > 0,
      refunded: intent.amount_received > 0 && refunded === intent.amount_received,
      currency: intent.currency,
      status: "succeeded",
      created: stored.chargeCreated ?? intent.created,
      livemode: false,
    };
  }

  private stored(id: string): StoredIntent {
    const stored = this.intents.get(id);
    if (stored === undefined) throw notFound("payment_intent", id);
    return stored;
  }

  private snapshot(stored: StoredIntent): PaymentIntent {
    return structuredClone(stored.intent);
  }
}
