import type { IncomingMessage } from "node:http";
import { GatewayError } from "./errors.js";

/** Headers a browser may send to the tokenize endpoint, and those its script may read back. */
const allowedRequestHeaders = ["content-type", "idempotency-key"];
const exposedHeaders = "Request-Id, Idempotency-Key, Idempotent-Replayed, Original-Request";

/** Whether `origin` may call the browser endpoint: listed exactly, or the list holds `*`. */
export function isOriginAllowed(origin: string, allowedOrigins: readonly string[]): boolean {
  return allowedOrigins.includes("*") || allowedOrigins.includes(origin);
}

/** 403 for an origin not on the list, or any origin on a server-to-server endpoint. */
export function originRefused(origin: string, isBrowserEndpoint: boolean): GatewayError {
  return new GatewayError(
    403,
    "invalid_request_error",
    "origin_not_allowed",
    isBrowserEndpoint
      ? `The origin ${origin} is not in ALLOWED_ORIGINS.`
      : "This endpoint is server-to-server only: only POST /v1/tokens may be called from a browser.",
  );
}

/** The headers that let an allowed origin's script read the answer of an actual request. */
export function corsHeaders(origin: string): Record<string, string> {
  return { "Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": exposedHeaders, Vary: "Origin" };
}

/**
 * The answer to a preflight for the browser endpoint from an allowed origin: POST only, with the request
 * headers asked for when all are allowed. A preflight asking for more (an Authorization header) is refused.
 */
export function preflightHeaders(request: IncomingMessage, origin: string): Record<string, string> {
  const method = request.headers["access-control-request-method"];
  const asked = (request.headers["access-control-request-headers"] ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "");
  if (method !== "POST" || !asked.every((name) => allowedRequestHeaders.includes(name))) {
    throw new GatewayError(
      403,
      "invalid_request_error",
      "origin_not_allowed",
      "A browser may only POST JSON to /v1/tokens, with Content-Type and Idempotency-Key headers.",
    );
  }
  return {
    "Access-Control-Allow-Origin": origin,
    "Access-Control-Allow-Methods": "POST",
    "Access-Control-Allow-Headers": allowedRequestHeaders.join(", "),
    "Access-Control-Max-Age": "600",
    Vary: "Origin",
  };
}
