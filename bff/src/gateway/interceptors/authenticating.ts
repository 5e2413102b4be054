import type { Interceptor } from "@connectrpc/connect";
import { authorize, bearerToken, type Principal, type TokenVerifier, unauthenticated } from "@marquee/mesh";
import { principalKey } from "../call-values.js";

/**
 * Verifies the caller's bearer token against the JWKS, puts the principal in the call's context values
 * for the forwarding to pass on unchanged, and checks the RPC's `access` option against it: anonymous
 * callers reach PUBLIC RPCs only (UNAUTHENTICATED otherwise), signed-in ones what their role or partner
 * scopes allow (PERMISSION_DENIED otherwise). The upstream service checks again: this is defense in
 * depth and spares it calls that would be refused.
 *
 * A token that fails verification is refused even on a PUBLIC RPC, and so is an `authorization` header
 * that is not a bearer token: a caller who meant to sign in must learn that it did not work.
 */
export function authenticating(verifier: TokenVerifier): Interceptor {
  return (next) => async (request) => {
    const header = request.header.get("authorization");
    let principal: Principal | undefined;
    if (header !== null) {
      const token = bearerToken(header);
      if (token === undefined) throw unauthenticated('the authorization header must be "Bearer <token>"');
      principal = await verifier.verify(token);
    }
    authorize(request.method, principal);
    request.contextValues.set(principalKey, principal);
    return next(request);
  };
}
