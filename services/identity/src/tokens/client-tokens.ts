import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { type AccessToken, tokenAudience, tokenIssuer } from "./access-tokens.js";
import type { KeyRing } from "./key-ring.js";

/**
 * A partner client's access token from the client-credentials grant, as TokenSet documents it and the
 * mesh's verifier reads it: ES256 with the signing key's `kid`, `typ: at+jwt` (RFC 9068), `sub`
 * `client:<client_id>` (the verifier's partner kind), `scope` the granted scopes space-separated (RFC
 * 8693 §4.2, what `authorize` matches against an RPC's `partner_scopes`), RFC 9068's `client_id`, and no
 * `roles` — the verifier refuses a partner token that carries any.
 */
export async function signClientToken(
  keys: KeyRing,
  claims: { readonly clientId: string; readonly scopes: readonly string[] },
  ttlSec: number,
  now: Date = new Date(),
): Promise<AccessToken> {
  const { kid, key } = keys.current();
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = issuedAt + ttlSec;
  const token = await new SignJWT({ scope: claims.scopes.join(" "), client_id: claims.clientId })
    .setProtectedHeader({ alg: "ES256", kid, typ: "at+jwt" })
    .setIssuer(tokenIssuer)
    .setAudience(tokenAudience)
    .setSubject(clientSubjectOf(claims.clientId))
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .setJti(randomUUID())
    .sign(key);
  return { token, expireTime: new Date(expiresAt * 1000) };
}

/** The token subject of a partner client: `client:<client_id>`. */
export function clientSubjectOf(clientId: string): string {
  return `client:${clientId}`;
}
