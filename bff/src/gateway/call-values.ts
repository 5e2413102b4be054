import { createContextKey } from "@connectrpc/connect";
import type { Principal } from "@marquee/mesh";

/**
 * What the BFF learns about a call on its way through the pipeline, carried in connect's per-call
 * context values (`HandlerContext.values`, `req.contextValues`) under typed keys.
 */

/** The verified caller, set by the authenticating interceptor; undefined for anonymous calls. */
export const principalKey = createContextKey<Principal | undefined>(undefined, { description: "principal" });

/**
 * The address of the TCP peer the request came from (for per-IP rate limits and logs). Behind a proxy
 * this is the proxy; trusting `x-forwarded-for` is the rate limiter's decision, not the listener's.
 */
export const peerAddressKey = createContextKey<string>("", { description: "peer address" });
