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

/**
 * The steps every forwarded call goes through, outermost first: the mesh's own, in a mesh service's order
 * (see `serverPipeline`) — tracing, observing, error mapping, the header check (the BFF sends the
 * `idempotency-key` on), authentication, access — without request validation, which the upstream does
 * with its rules. The access check here is defense in depth and spares the upstream calls it would
 * refuse. Later steps slot in here without touching the forwarding: per-IP rate limits before
 * authentication (cheap, before any signature is checked), per-user ones after.
 */
export function pipeline(verifier: TokenVerifier): Interceptor[] {
  return [
    tracing("connect_rpc"),
    observing(),
    mappingErrors(),
    checkingHeaders(),
    authenticating(verifier),
    authorizing(),
  ];
}
