import type { ErrorBody, ErrorType, PaymentIntent } from "./api.js";

/**
 * An error answer: HTTP status and Stripe's error body. Handlers throw it; the server writes it. Messages
 * never contain a card number.
 */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly type: ErrorType,
    readonly code: string,
    message: string,
    readonly extra: Omit<ErrorBody["error"], "type" | "code" | "message"> = {},
    /** False when nothing happened and a retry with the same idempotency key must run afresh. */
    readonly isRecorded = true,
  ) {
    super(message);
    this.name = "GatewayError";
  }

  get body(): ErrorBody {
    return { error: { type: this.type, code: this.code, message: this.message, ...this.extra } };
  }
}

/** 400: a request no state of the gateway would accept (bad or missing field, unknown reference). */
export function invalidRequest(code: string, message: string, param?: string): GatewayError {
  return new GatewayError(400, "invalid_request_error", code, message, param === undefined ? {} : { param });
}

/**
 * 400: a request parameter is bad whatever the state. As at Stripe, the answer is not kept under the
 * request's idempotency key (the endpoint never started), so the corrected request may reuse the key.
 */
export function invalidParam(code: string, message: string, param: string): GatewayError {
  return new GatewayError(400, "invalid_request_error", code, message, { param }, false);
}

/** 400: a field is missing; not kept under the idempotency key, like every parameter error. */
export function missing(param: string): GatewayError {
  return invalidParam("parameter_missing", `Missing required param: ${param}.`, param);
}

/** 400: the object exists but its status forbids the operation. */
export function unexpectedState(intent: PaymentIntent, operation: string, allowed: readonly string[]): GatewayError {
  return new GatewayError(
    400,
    "invalid_request_error",
    "payment_intent_unexpected_state",
    `This PaymentIntent's ${operation} could not be performed because it has a status of ${intent.status}. ` +
      `Only a PaymentIntent with one of the following statuses may be ${operation}: ${allowed.join(", ")}.`,
    { payment_intent: intent },
  );
}

/** 404: no object with the id of the URL. */
export function notFound(kind: string, id: string): GatewayError {
  return new GatewayError(404, "invalid_request_error", "resource_missing", `No such ${kind}: '${id}'`);
}

/** 400 at tokenize: a card the gateway refuses before any authorization (bad number, expiry, CVC). */
export function cardInvalid(code: string, message: string, param: string): GatewayError {
  return new GatewayError(400, "card_error", code, message, { param }, false);
}

/** 500: the injected random fault, answered before anything changed. */
export function injectedFault(): GatewayError {
  return new GatewayError(
    500,
    "api_error",
    "api_error",
    "An error occurred on the gateway's side (simulated by ERROR_RATE). Nothing was changed; retry.",
    {},
    false,
  );
}
