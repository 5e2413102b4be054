import type { ErrorBody, GatewayEvent, PaymentIntent, Refund } from "@marquee/payment-gateway/api";
import { verifyWebhookSignature, WebhookSignatureError } from "@marquee/payment-gateway/webhooks";
import {
  type AuthorizeCall,
  type AuthorizeOutcome,
  type PaymentServiceProvider,
  type PspCardError,
  type PspEvent,
  type PspIntent,
  type PspIntentStatus,
  type PspRefund,
  PspRefusedError,
  type RefundCall,
  WebhookRejectedError,
} from "./psp.js";
import { GatewayPolicy, NetworkError, type ResilienceOptions, TransientAnswerError } from "./resilience.js";

/** Where the simulator is and how to talk to it. */
export interface SimulatorAdapterOptions {
  /** Base URL, e.g. `http://127.0.0.1:8090`. */
  readonly url: string;
  /** `sk_test_…`, sent as `Authorization: Bearer`. */
  readonly secretKey: string;
  /** Verifies `Gateway-Signature` on webhooks. */
  readonly webhookSecret: string;
  /** How far a webhook's signed time may be from now. */
  readonly webhookToleranceSeconds: number;
  readonly resilience: Omit<ResilienceOptions, "provider">;
}

/** An answer that ends the call: a 4xx other than those worth retrying. */
class AnswerError extends Error {
  override readonly name = "AnswerError";
  constructor(
    readonly status: number,
    readonly error: ErrorBody["error"],
  ) {
    super(`${status} ${error.code}: ${error.message}`);
  }
}

/**
 * The PSP adapter over the gateway simulator's Stripe-like HTTP API (`services/payment-gateway`, its
 * README): payment intents with manual capture, refunds, `Idempotency-Key` on every POST and webhooks
 * signed `t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`. Its wire types come from
 * `@marquee/payment-gateway/api` as types only, so nothing of the simulator runs in this process.
 */
export class SimulatorAdapter implements PaymentServiceProvider {
  readonly name = "simulator";
  private readonly policy: GatewayPolicy;
  private readonly baseUrl: string;

  constructor(private readonly options: SimulatorAdapterOptions) {
    this.policy = new GatewayPolicy({ ...options.resilience, provider: this.name });
    this.baseUrl = options.url.replace(/\/+$/, "");
  }

  breakerState(): string {
    return this.policy.breakerState;
  }

  /**
   * Creates a manual-capture intent. The processing-error answer is retryable by the gateway's rules
   * (the token stays unspent for one more try), so it is retried once by confirming the intent with the
   * same token, under a key of its own; only a second processing error is a failure.
   */
  async authorize(request: AuthorizeCall, idempotencyKey: string): Promise<AuthorizeOutcome> {
    const body = {
      amount: request.amountMinor,
      currency: request.currencyCode.toLowerCase(),
      token: request.token,
      capture_method: "manual",
      metadata: request.metadata,
    };
    let outcome = await this.attemptAuthorization("authorize", "/v1/payment_intents", body, idempotencyKey);
    if (outcome.kind === "failed" && outcome.intent !== undefined && outcome.error.declineCode === "processing_error") {
      outcome = await this.attemptAuthorization(
        "confirm",
        `/v1/payment_intents/${encodeURIComponent(outcome.intent.id)}/confirm`,
        { token: request.token },
        `${idempotencyKey}:confirm`,
      );
    }
    return outcome;
  }

  async capture(intentId: string, amountMinor: number, idempotencyKey: string): Promise<PspIntent> {
    const path = `/v1/payment_intents/${encodeURIComponent(intentId)}/capture`;
    return intentOf(
      await this.call<PaymentIntent>("capture", "POST", path, { amount_to_capture: amountMinor }, idempotencyKey),
    );
  }

  async void(intentId: string, idempotencyKey: string): Promise<PspIntent> {
    const path = `/v1/payment_intents/${encodeURIComponent(intentId)}/cancel`;
    return intentOf(await this.call<PaymentIntent>("void", "POST", path, {}, idempotencyKey));
  }

  async refund(request: RefundCall, idempotencyKey: string): Promise<PspRefund> {
    const body = { payment_intent: request.intentId, amount: request.amountMinor, metadata: request.metadata };
    return refundOf(await this.call<Refund>("refund", "POST", "/v1/refunds", body, idempotencyKey));
  }

  async getIntent(intentId: string): Promise<PspIntent> {
    return intentOf(
      await this.call<PaymentIntent>("get_intent", "GET", `/v1/payment_intents/${encodeURIComponent(intentId)}`),
    );
  }

  async getRefund(refundId: string): Promise<PspRefund> {
    return refundOf(await this.call<Refund>("get_refund", "GET", `/v1/refunds/${encodeURIComponent(refundId)}`));
  }

  verifyWebhook(rawBody: Buffer, headers: Readonly<Record<string, string | string[] | undefined>>): PspEvent {
    const header = headers["gateway-signature"];
    verifySignature(
      rawBody,
      Array.isArray(header) ? header.join(",") : header,
      this.options.webhookSecret,
      this.options.webhookToleranceSeconds,
    );
    let event: GatewayEvent;
    try {
      event = JSON.parse(rawBody.toString("utf8")) as GatewayEvent;
    } catch {
      throw new WebhookRejectedError("the body is not JSON");
    }
    if (typeof event?.id !== "string" || typeof event.type !== "string" || event.data?.object === undefined) {
      throw new WebhookRejectedError("the body is not a gateway event");
    }
    switch (event.type) {
      case "payment_intent.amount_capturable_updated":
      case "payment_intent.succeeded":
      case "payment_intent.payment_failed":
      case "payment_intent.canceled":
        return { id: event.id, type: event.type, kind: "intent", intent: intentOf(event.data.object) };
      case "refund.updated":
        return { id: event.id, type: event.type, kind: "refund", refund: refundOf(event.data.object) };
      default:
        return { id: event.id, type: event.type, kind: "other" };
    }
  }

  /** One authorization request: the intent, or the declined/failed outcome a 402 carries. */
  private async attemptAuthorization(
    operation: string,
    path: string,
    body: Record<string, unknown>,
    idempotencyKey: string,
  ): Promise<AuthorizeOutcome> {
    try {
      const intent = intentOf(await this.call<PaymentIntent>(operation, "POST", path, body, idempotencyKey));
      return { kind: "authorized", intent };
    } catch (error) {
      if (!(error instanceof AnswerError) || error.status !== 402 || error.error.type !== "card_error") throw error;
      const cardError = cardErrorOf(error.error.code, error.error.decline_code, error.error.message);
      const intent = error.error.payment_intent === undefined ? undefined : intentOf(error.error.payment_intent);
      return { kind: cardError.kind, error: cardError, intent };
    }
  }

  /** A call under the resilience policy, its refusals translated; AnswerError only for a 402 card error. */
  private async call<T>(
    operation: string,
    method: "GET" | "POST",
    path: string,
    body?: Record<string, unknown>,
    idempotencyKey?: string,
  ): Promise<T> {
    try {
      return await this.policy.execute(operation, (signal) => this.send<T>(method, path, body, idempotencyKey, signal));
    } catch (error) {
      if (!(error instanceof AnswerError)) throw error;
      if (error.status === 402 && error.error.type === "card_error") throw error;
      throw refusalOf(error);
    }
  }

  /** One HTTP attempt. */
  private async send<T>(
    method: "GET" | "POST",
    path: string,
    body: Record<string, unknown> | undefined,
    idempotencyKey: string | undefined,
    signal: AbortSignal,
  ): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.secretKey}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (idempotencyKey !== undefined) headers["idempotency-key"] = idempotencyKey;
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal,
      });
      text = await response.text();
    } catch (error) {
      if (signal.aborted) throw error;
      throw new NetworkError(`${method} ${path}: ${causeOf(error)}`, { cause: error });
    }
    if (response.ok) return JSON.parse(text) as T;
    const answer = errorOf(text, response.status);
    // 409: the first request with this key is still running at the gateway; a retry replays its answer.
    if (response.status >= 500 || response.status === 429 || response.status === 409) {
      throw new TransientAnswerError(response.status, `${response.status} ${answer.code}: ${answer.message}`);
    }
    throw new AnswerError(response.status, answer);
  }
}

/** The gateway's error body, or a stand-in when the body is not one. */
function errorOf(text: string, status: number): ErrorBody["error"] {
  try {
    const parsed = JSON.parse(text) as Partial<ErrorBody>;
    if (parsed.error !== undefined && typeof parsed.error.code === "string") return parsed.error;
  } catch {
    // not JSON: a proxy's page, say
  }
  return { type: "api_error", code: `http_${status}`, message: text.slice(0, 200) };
}

/** A final 4xx as a refusal the service maps to a status. */
function refusalOf(error: AnswerError): PspRefusedError {
  const { code, param, message } = error.error;
  const intent = error.error.payment_intent === undefined ? undefined : intentOf(error.error.payment_intent);
  if (param === "token") return new PspRefusedError("invalid_token", message);
  if (code === "invalid_currency") return new PspRefusedError("invalid_currency", message);
  if (code === "charge_expired_for_capture") return new PspRefusedError("authorization_expired", message, intent);
  if (code === "payment_intent_unexpected_state") return new PspRefusedError("unexpected_state", message, intent);
  if (
    code === "amount_too_large" ||
    code === "amount_too_small" ||
    code === "charge_already_refunded" ||
    param === "amount" ||
    param === "amount_to_capture"
  ) {
    return new PspRefusedError("invalid_amount", message, intent);
  }
  return new PspRefusedError("rejected", `${error.status} ${code}: ${message}`, intent);
}

/** Declines are the issuer's "no"; a processing error is the network failing to ask. */
function cardErrorOf(code: string, declineCode: string | undefined, message: string): PspCardError {
  if (code === "processing_error") return { kind: "failed", declineCode: code, message };
  return { kind: "declined", declineCode: declineCode ?? code, message };
}

const statuses: Record<PaymentIntent["status"], PspIntentStatus> = {
  requires_payment_method: "unpaid",
  requires_capture: "authorized",
  succeeded: "captured",
  canceled: "canceled",
};

function intentOf(intent: PaymentIntent): PspIntent {
  const error = intent.last_payment_error;
  return {
    id: intent.id,
    status: statuses[intent.status] ?? "unpaid",
    amountMinor: intent.amount,
    capturedMinor: intent.amount_received,
    currencyCode: intent.currency.toUpperCase(),
    card: intent.card === null ? undefined : { brand: intent.card.brand, last4: intent.card.last4 },
    authorizationExpireTime: intent.capture_before === null ? undefined : new Date(intent.capture_before * 1000),
    lastError: error === null ? undefined : cardErrorOf(error.code, error.decline_code, error.message),
    metadata: intent.metadata ?? {},
  };
}

function refundOf(refund: Refund): PspRefund {
  return {
    id: refund.id,
    intentId: refund.payment_intent,
    status: refund.status,
    amountMinor: refund.amount,
    failureReason: refund.failure_reason ?? "",
    metadata: refund.metadata ?? {},
  };
}

/** The socket error under fetch's "fetch failed". */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/**
 * The simulator's own signature check (Stripe's scheme: `t=<unix seconds>,v1=<hex>`), as an adapter for a
 * real PSP would call its SDK's (stripe-node's `webhooks.constructEvent`), its failures as the PSP seam's
 * WebhookRejectedError.
 */
function verifySignature(rawBody: Buffer, header: string | undefined, secret: string, toleranceSeconds: number): void {
  try {
    verifyWebhookSignature(rawBody, header, secret, { toleranceSeconds });
  } catch (error) {
    if (error instanceof WebhookSignatureError) throw new WebhookRejectedError(error.message);
    throw error;
  }
}
