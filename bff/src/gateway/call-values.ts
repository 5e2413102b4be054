import { createContextKey } from "@connectrpc/connect";

/**
 * What the BFF learns about a call on its way through the pipeline, carried in connect's per-call
 * context values (`HandlerContext.values`, `req.contextValues`) under typed keys.
 */

/**
 * The address of the TCP peer the request came from (for per-IP rate limits and logs). Behind a proxy
 * this is the proxy; trusting `x-forwarded-for` is the rate limiter's decision, not the listener's.
 */
export const peerAddressKey = createContextKey<string>("", { description: "peer address" });
