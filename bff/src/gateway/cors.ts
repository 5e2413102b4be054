import { cors } from "@connectrpc/connect";
import { type NodeRequest, type NodeResponse, respond } from "./node-http.js";

/** Request headers a browser on an allowed origin may send: connect's, plus Marquee's own. */
const allowedHeaders = [...cors.allowedHeaders, "authorization", "idempotency-key", "traceparent", "tracestate"];

/** How long a browser may cache a preflight answer, in seconds. */
const preflightMaxAgeSec = 7200;

/**
 * Cross-origin access for browsers. With no allowed origins (the default) only same-origin pages may
 * call the BFF, i.e. the web app it serves: a preflight from any other origin is refused with 403, and
 * no response carries `Access-Control-Allow-Origin`, so the browser keeps it from the page. Each origin
 * in `allowedOrigins` (exact `scheme://host[:port]`, e.g. a Vite dev server) gets a preflight answer and
 * the CORS headers connect's protocols need.
 *
 * Returns a step for the request handler: true when it answered the request (a preflight).
 */
export function corsPolicy(
  allowedOrigins: readonly string[],
): (request: NodeRequest, response: NodeResponse) => boolean {
  const allowed = new Set(allowedOrigins);
  return (request, response) => {
    const origin = request.headers.origin;
    const isPreflight = request.method === "OPTIONS" && request.headers["access-control-request-method"] !== undefined;
    if (origin === undefined || !allowed.has(origin)) {
      if (!isPreflight) return false;
      respond(response, 403, { vary: "origin" });
      return true;
    }
    response.setHeader("access-control-allow-origin", origin);
    response.setHeader("vary", "origin");
    if (!isPreflight) {
      response.setHeader("access-control-expose-headers", cors.exposedHeaders.join(", "));
      return false;
    }
    respond(response, 204, {
      "access-control-allow-methods": cors.allowedMethods.join(", "),
      "access-control-allow-headers": allowedHeaders.join(", "),
      "access-control-max-age": String(preflightMaxAgeSec),
    });
    return true;
  };
}
