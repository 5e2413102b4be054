import { createHash, timingSafeEqual } from "node:crypto";
import { Code, ConnectError, invalidArgument } from "@marquee/mesh";
import type { SocialProvider } from "@marquee/proto/marquee/identity/v1/resources_pb.js";
import { type JWTPayload, errors as joseErrors, jwtVerify } from "jose";
import * as oidc from "openid-client";
import type { ProviderName } from "../domain/social-providers.js";
import type { Identity } from "../identity.js";
import { useFlow } from "../store/social-flows.js";
import type { DiscoveredProvider } from "./providers.js";

/** Who the provider says signed in: the verified claims of its ID token that Marquee uses. */
export interface ProviderAccount {
  readonly provider: ProviderName;
  /** The `sub` claim: the account's stable id at the provider. */
  readonly subject: string;
  /** The `email` claim; empty when the token has none. */
  readonly email: string;
  /** Whether the provider vouches for `email` (`email_verified`). */
  readonly isEmailVerified: boolean;
  /** The `name` claim; empty when the token has none. */
  readonly name: string;
  /** The request field the account came from, for errors about it: `callback_url` or `id_token`. */
  readonly field: "callback_url" | "id_token";
}

/** The fields of SignInWithSocial and LinkSocialAccount that prove a provider account. */
export interface ProviderProof {
  readonly provider: SocialProvider;
  readonly idToken: string;
  readonly nonce: string;
  readonly callbackUrl: string;
  readonly flowKey: string;
}

/** The oldest ID token an app may bring itself, as the contract says (10 minutes). */
const maxIdTokenAgeS = 600;

/**
 * The provider account a request proves, every check done: a flow's callback completed at the provider
 * (PKCE, state, nonce, and the ID token's signature, issuer, audience and times, by openid-client), or an
 * ID token the app brought, checked here against the provider's keys (jose) with the app's nonce. Either
 * failing is INVALID_ARGUMENT naming the field at fault; a provider that cannot be reached, UNAVAILABLE.
 */
export async function providerAccountOf(identity: Identity, proof: ProviderProof): Promise<ProviderAccount> {
  const provider = await identity.social.provider(proof.provider);
  if (proof.callbackUrl !== "") {
    return accountOf(provider, await claimsOfCallback(identity, provider, proof), "callback_url");
  }
  return accountOf(provider, await claimsOfIdToken(provider, proof), "id_token");
}

async function claimsOfCallback(identity: Identity, provider: DiscoveredProvider, proof: ProviderProof) {
  const { redirectUri } = provider.settings;
  let callback: URL;
  try {
    callback = new URL(proof.callbackUrl);
  } catch {
    throw invalidArgument("callback_url", "must be a URL");
  }
  const expected = new URL(redirectUri);
  if (callback.origin !== expected.origin || callback.pathname !== expected.pathname) {
    throw invalidArgument("callback_url", `must be the redirect URI ${redirectUri} with the provider's answer`);
  }
  const state = callback.searchParams.get("state");
  if (state === null || state === "") throw invalidArgument("callback_url", "has no state parameter");
  const use = await useFlow(identity.orm.em.fork(), provider.settings.name, state, proof.flowKey, new Date());
  if (use.outcome === "unknown") {
    throw invalidArgument(
      "callback_url",
      "its sign-in flow is unknown, expired or already used: start again with StartSocialSignIn",
    );
  }
  if (use.outcome === "wrong key") throw invalidArgument("flow_key", "is not the key of this sign-in flow");
  // The token request's redirect_uri is the configured one, whatever host the app reached: openid-client
  // takes it from this URL, less its query.
  const current = new URL(redirectUri);
  current.search = callback.search;
  try {
    const tokens = await oidc.authorizationCodeGrant(provider.client, current, {
      pkceCodeVerifier: use.secrets.codeVerifier,
      expectedState: state,
      expectedNonce: use.secrets.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (claims === undefined) throw invalidArgument("callback_url", "the provider returned no ID token");
    return claims as JWTPayload;
  } catch (error) {
    throw providerFailure(error, "callback_url");
  }
}

async function claimsOfIdToken(provider: DiscoveredProvider, proof: ProviderProof): Promise<JWTPayload> {
  const metadata = provider.client.serverMetadata();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(proof.idToken, provider.keys, {
      issuer: metadata.issuer,
      audience: provider.settings.clientId,
      algorithms: metadata.id_token_signing_alg_values_supported ?? ["RS256"],
      maxTokenAge: maxIdTokenAgeS,
      requiredClaims: ["sub", "iat", "exp"],
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWKSTimeout || isNetworkFailure(error)) {
      throw new ConnectError("the provider's keys cannot be read", Code.Unavailable, undefined, undefined, error);
    }
    if (error instanceof joseErrors.JOSEError) throw invalidArgument("id_token", `is not valid: ${error.message}`);
    throw error;
  }
  // OpenID Connect Core §3.1.3.7: with several audiences, the authorized party must be this client.
  const isShared = Array.isArray(payload.aud) && payload.aud.length > 1;
  if ((isShared || payload.azp !== undefined) && payload.azp !== provider.settings.clientId) {
    throw invalidArgument("id_token", "was issued to another client (azp)");
  }
  if (!nonceMatches(payload.nonce, proof.nonce)) {
    throw invalidArgument("id_token", "its nonce claim matches neither nonce nor its SHA-256");
  }
  return payload;
}

/** The token's nonce is the app's, or its SHA-256 in hex (Apple's SDKs send that); compared in constant time. */
function nonceMatches(claim: unknown, nonce: string): boolean {
  if (typeof claim !== "string") return false;
  const same = (a: string, b: string) => {
    const left = Buffer.from(a);
    const right = Buffer.from(b);
    return left.length === right.length && timingSafeEqual(left, right);
  };
  return same(claim, nonce) || same(claim, createHash("sha256").update(nonce).digest("hex"));
}

function accountOf(provider: DiscoveredProvider, claims: JWTPayload, field: ProviderAccount["field"]): ProviderAccount {
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  const subject = text(claims.sub);
  if (subject === "") throw invalidArgument(field, "the ID token has no sub claim");
  return {
    provider: provider.settings.name,
    subject,
    email: text(claims.email),
    // Some providers send the string "true" (Apple), most a boolean.
    isEmailVerified: claims.email_verified === true || claims.email_verified === "true",
    name: text(claims.name),
    field,
  };
}

/**
 * What openid-client's failures mean for the caller (one place, each branch saying why): the provider's
 * own answer on the redirect (access_denied) or at its token endpoint (a spent code: invalid_grant) and a
 * check of the response or ID token (nonce, issuer, audience, times) are the request's fault; the provider
 * down, slow or answering garbage is not.
 */
function providerFailure(error: unknown, field: string): ConnectError {
  if (error instanceof ConnectError) return error;
  if (error instanceof oidc.AuthorizationResponseError) {
    const description = error.error_description ? ` (${error.error_description})` : "";
    return invalidArgument(field, `the provider answered ${error.error}${description}`);
  }
  if (error instanceof oidc.ResponseBodyError) {
    if (error.status >= 500) return unavailable("the provider's token endpoint failed", error);
    return invalidArgument(field, `the provider refused the authorization code: ${error.error}`);
  }
  if (error instanceof oidc.ClientError) {
    // A provider answering with the wrong status or not JSON is broken, not the request.
    if (error.code === "OAUTH_RESPONSE_IS_NOT_CONFORM" || error.code === "OAUTH_RESPONSE_IS_NOT_JSON") {
      return unavailable("the provider's token endpoint answered unexpectedly", error);
    }
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return invalidArgument(field, `the provider's response failed a check (${error.message}${cause})`);
  }
  if (isNetworkFailure(error)) return unavailable("the provider cannot be reached", error);
  return ConnectError.from(error);
}

function unavailable(message: string, cause: unknown): ConnectError {
  return new ConnectError(message, Code.Unavailable, undefined, undefined, cause);
}

/** fetch's own failures: refused, reset, DNS (TypeError "fetch failed") and timeouts (an abort). */
function isNetworkFailure(error: unknown): boolean {
  return (
    (error instanceof TypeError && error.message === "fetch failed") ||
    (error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError"))
  );
}
