import {
  authenticating,
  authorizing,
  checkingHeaders,
  type Interceptor,
  mappingErrors,
  observing,
  type TokenVerifier,
  tracing,
} from "@marquee/mesh";
import type { RateLimiter } from "./rate-limit/rate-limiter.js";

/**
 * The steps every forwarded call goes through, outermost first: the mesh's own, in a mesh service's order
 * (see `serverPipeline`) — tracing, observing, error mapping, the header check (the BFF sends the
 * `idempotency-key` on), authentication, access — without request validation, which the upstream does
 * with its rules. The access check here is defense in depth and spares the upstream calls it would
 * refuse. With rate limits on, the per-IP limit comes right after error mapping — every call counts,
 * however bad, and a flood of forged tokens is shed before any signature is checked — and the per-user
 * limit last, once the subject is proven and the call allowed: a refusal the access check gives for free
 * spends no token and no Redis round trip.
 */
export function pipeline(verifier: TokenVerifier, limiter?: RateLimiter): Interceptor[] {
  return [
    tracing("connect_rpc"),
    observing(),
    mappingErrors(),
    ...(limiter ? [limiter.perIp()] : []),
    checkingHeaders(),
    authenticating(verifier),
    authorizing(),
    ...(limiter ? [limiter.perUser()] : []),
  ];
}
