import { randomUUID } from "node:crypto";
import type { Role } from "@marquee/mesh";
import { SignJWT } from "jose";
import type { KeyRing } from "./key-ring.js";

/**
 * The `iss` and `aud` of every Marquee access token: what the mesh's verifier (createTokenVerifier in
 * services/mesh/src/auth/verify-token.ts) requires by default, and so what every mesh server and the BFF
 * accept unchanged.
 */
export const tokenIssuer = "marquee";
export const tokenAudience = "marquee";

/** A signed access token and when it expires. */
export interface AccessToken {
  readonly token: string;
  readonly expireTime: Date;
}

/**
 * A user's access token, as TokenSet documents it and the mesh's verifier checks it: ES256 with the
 * signing key's `kid` in the header, `sub` the user id, `roles` the lower-case role names, `amr` how the
 * user signed in (RFC 8176: `["pwd"]`, or `["pwd", "otp"]` after a second factor), `iat`, `exp` and a fresh
 * `jti`. The header's `typ` is RFC 9068's `at+jwt`, so the token cannot pass for another kind
 * of JWT (an ID token) anywhere that checks.
 */
export async function signAccessToken(
  keys: KeyRing,
  claims: { readonly userId: string; readonly roles: readonly Role[]; readonly amr?: readonly string[] },
  ttlSec: number,
  now: Date = new Date(),
): Promise<AccessToken> {
  const { kid, key } = keys.current();
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = issuedAt + ttlSec;
  const token = await new SignJWT({ roles: [...claims.roles], amr: [...(claims.amr ?? ["pwd"])] })
    .setProtectedHeader({ alg: "ES256", kid, typ: "at+jwt" })
    .setIssuer(tokenIssuer)
    .setAudience(tokenAudience)
    .setSubject(claims.userId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .setJti(randomUUID())
    .sign(key);
  return { token, expireTime: new Date(expiresAt * 1000) };
}
