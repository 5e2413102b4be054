/**
 * The gateway's API objects as they travel in JSON, for the payment service's adapter. They follow
 * Stripe's shapes where Stripe has one (snake_case fields, `object` naming the kind, `created` in unix
 * seconds, amounts as integers in the currency's minor unit, currencies as lower-case ISO 4217 codes);
 * fields Stripe does not have are marked "simulator".
 */

/** A card brand in lower case, as Stripe's payment methods report it. */
export type CardBrand = "visa" | "mastercard" | "amex" | "discover" | "diners" | "jcb" | "unionpay" | "unknown";

/** What a token or a payment keeps of a card: never its number, never its CVC. */
export interface CardDetails {
  brand: CardBrand;
  last4: string;
  exp_month: number;
  exp_year: number;
}

/** `POST /v1/tokens` body. */
export interface CreateTokenParams {
  card: { number: string; exp_month: number | string; exp_year: number | string; cvc: string };
}

/** A single-use card token made by the browser (`tok_…`). */
export interface Token {
  id: string;
  object: "token";
  type: "card";
  card: CardDetails;
  created: number;
  /** Whether an authorization already spent it. */
  used: boolean;
  /** Simulator: when it can no longer be used, unix seconds. */
  expires_at: number;
  livemode: false;
}

export type CaptureMethod = "manual" | "automatic";

/** Stripe's statuses; the simulator never needs `requires_confirmation`, `requires_action` or `processing`. */
export type PaymentIntentStatus = "requires_payment_method" | "requires_capture" | "succeeded" | "canceled";

export type CancellationReason = "duplicate" | "fraudulent" | "requested_by_customer" | "abandoned" | "automatic";

/** Why the last authorization failed: `card_declined` (with a `decline_code`), `expired_card`, `incorrect_cvc` or `processing_error`. */
export interface PaymentError {
  type: "card_error";
  code: string;
  decline_code?: string;
  message: string;
}

/** `POST /v1/payment_intents` body. */
export interface CreatePaymentIntentParams {
  amount: number;
  currency: string;
  token: string;
  /** @default "automatic", as Stripe; the checkout saga sends "manual". */
  capture_method?: CaptureMethod;
  metadata?: Record<string, string>;
  description?: string;
}

/** A payment intent (`pi_…`): one authorization, at most one capture. */
export interface PaymentIntent {
  id: string;
  object: "payment_intent";
  amount: number;
  /** What a capture may still take: the amount while `requires_capture`, else 0. */
  amount_capturable: number;
  /** What was captured. */
  amount_received: number;
  currency: string;
  status: PaymentIntentStatus;
  capture_method: CaptureMethod;
  /** Simulator: the card it was authorized on (Stripe keeps this on the charge's payment_method_details). */
  card: CardDetails | null;
  /** Unix seconds after which an uncaptured authorization lapses (then the intent is canceled "automatic"). */
  capture_before: number | null;
  canceled_at: number | null;
  cancellation_reason: CancellationReason | null;
  last_payment_error: PaymentError | null;
  /** The charge of a successful authorization (`ch_…`), else null. */
  latest_charge: string | null;
  metadata: Record<string, string>;
  description: string | null;
  created: number;
  livemode: false;
}

/** `POST /v1/payment_intents/:id/capture` body. */
export interface CapturePaymentIntentParams {
  /** @default the whole authorized amount; less releases the rest. */
  amount_to_capture?: number;
  metadata?: Record<string, string>;
}

/** `POST /v1/payment_intents/:id/cancel` body. */
export interface CancelPaymentIntentParams {
  cancellation_reason?: Exclude<CancellationReason, "automatic">;
}

/** `POST /v1/payment_intents/:id/confirm` body: a new card for an intent whose authorization failed. */
export interface ConfirmPaymentIntentParams {
  token: string;
}

/** The money movement of an authorized intent, as `charge.refunded` webhooks carry it. */
export interface Charge {
  id: string;
  object: "charge";
  payment_intent: string;
  amount: number;
  amount_captured: number;
  /** Sum of the refunds that did not fail. */
  amount_refunded: number;
  captured: boolean;
  /** Whether the whole captured amount is refunded. */
  refunded: boolean;
  currency: string;
  status: "succeeded";
  created: number;
  livemode: false;
}

export type RefundStatus = "pending" | "succeeded" | "failed";

export type RefundReason = "duplicate" | "fraudulent" | "requested_by_customer";

/** `POST /v1/refunds` body. */
export interface CreateRefundParams {
  payment_intent: string;
  /** @default what is captured and not yet refunded. */
  amount?: number;
  reason?: RefundReason;
  metadata?: Record<string, string>;
}

/** A refund (`re_…`) of a captured intent. */
export interface Refund {
  id: string;
  object: "refund";
  amount: number;
  currency: string;
  payment_intent: string;
  charge: string;
  status: RefundStatus;
  reason: RefundReason | null;
  /** Set when `failed`: Stripe's reasons, here always "expired_or_canceled_card". */
  failure_reason: string | null;
  metadata: Record<string, string>;
  created: number;
  livemode: false;
}

/** A page of a list endpoint (`GET /v1/refunds?payment_intent=…`). */
export interface List<T> {
  object: "list";
  data: T[];
  has_more: false;
  url: string;
}

export type ErrorType = "invalid_request_error" | "card_error" | "idempotency_error" | "api_error";

/** Every non-2xx answer's body: `{ error: { type, code, message, param? } }`. */
export interface ErrorBody {
  error: {
    type: ErrorType;
    code: string;
    message: string;
    /** The request field at fault, in Stripe's notation (`card[number]`, `amount`). */
    param?: string;
    /** For a declined card. */
    decline_code?: string;
    /** For a failed authorization: the intent it left in `requires_payment_method`. */
    payment_intent?: PaymentIntent;
  };
}

/** `GET`/`POST /v1/_simulator/settings`: the faults a test may flip at run time. */
export interface SimulatorSettings {
  object: "simulator_settings";
  latency_ms: number;
  latency_jitter_ms: number;
  error_rate: number;
  webhook_urls: string[];
}

export type PaymentIntentEventType =
  | "payment_intent.amount_capturable_updated"
  | "payment_intent.succeeded"
  | "payment_intent.payment_failed"
  | "payment_intent.canceled";

interface EventOf<Type extends string, Data> {
  /** Unique per event and kept across delivery attempts (`evt_…`): receivers dedupe on it. */
  id: string;
  object: "event";
  type: Type;
  created: number;
  data: { object: Data };
  livemode: false;
}

/** A webhook event, discriminated by `type`. */
export type GatewayEvent =
  | EventOf<PaymentIntentEventType, PaymentIntent>
  | EventOf<"charge.refunded", Charge>
  | EventOf<"refund.updated", Refund>;

export type GatewayEventType = GatewayEvent["type"];
