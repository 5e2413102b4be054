import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  type CryptoKey,
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
  type JWTPayload,
  jwtVerify,
  type LocalJWKSet,
} from "jose";
import type { Principal, Role } from "../principal.js";
import { isCanonicalUuid } from "../validate.js";

/** Options of {@link createTokenVerifier}. */
export interface TokenVerifierOptions {
  /**
   * Where the identity service publishes its public keys (`AUTH_JWKS_URL`): an https URL, or in
   * development a file path or `file://` URL. Plain http is accepted for loopback hosts only, so a
   * JWKS served on the developer's machine (and in tests) works without a certificate.
   */
  readonly jwksUrl: string;
  /** The `iss` a token must carry. @default "marquee" */
  readonly issuer?: string;
  /** The `aud` a token must carry. @default "marquee" */
  readonly audience?: string;
  /** Clock skew allowed on `exp` and `nbf`, in seconds. @default 5 */
  readonly clockToleranceSec?: number;
  /**
   * For a URL: how long after a fetch a token with an unknown `kid` may trigger another fetch, so a
   * flood of made-up kids cannot hammer identity. A file is re-read on an unknown kid whenever it has
   * changed on disk, with no cooldown. @default 30000
   */
  readonly refreshCooldownMs?: number;
  /**
   * How long a verified token is remembered, so the next call with it skips the ES256 check (~0.2 ms of
   * CPU, the largest single cost of a hold). Never past the token's `exp`; a key withdrawn from the JWKS
   * stops being honoured within this time. 0 turns the cache off. @default 60000
   */
  readonly verifiedCacheMs?: number;
  /** Most tokens remembered; the oldest are forgotten first. @default 10000 */
  readonly verifiedCacheSize?: number;
  /** The clock, in epoch milliseconds; tests replace it. @default Date.now */
  readonly now?: () => number;
}

/** Verifies bearer tokens; created once per process by {@link createTokenVerifier}. */
export interface TokenVerifier {
  /**
   * The principal the token proves. Rejects with a `ConnectError`: UNAUTHENTICATED for any token
   * that is not a valid Marquee token, UNAVAILABLE when the signing keys cannot be loaded (the
   * caller is not at fault and may retry).
   */
  verify(token: string): Promise<Principal>;
}

/**
 * Creates the verifier every mesh server and the BFF use on the `authorization` header: ES256 only,
 * `kid` required, issuer, audience, expiry and not-before checked, `sub` mapped to a principal kind
 * (`client:<id>` → partner, `svc:<name>` → service, anything else → user; user and client ids must be
 * UUIDs in canonical lower-case form), and `roles` / `scope` / `amr` checked against the token kind. Keys come
 * from the JWKS at `jwksUrl`, cached; an unknown `kid` reloads them, so identity can rotate keys without
 * restarting anyone.
 *
 * Throws at once (a plain `Error`, as for any bad setting) when `jwksUrl` is neither https, loopback
 * http, nor a file.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const { issuer = "marquee", audience = "marquee", clockToleranceSec = 5 } = options;
  const keys = keySource(options.jwksUrl, options.refreshCooldownMs ?? 30_000);

  async function resolveKey(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> {
    // A JWKS matches a header without `kid` to any key of the right type; the contract requires one.
    if (typeof header.kid !== "string" || header.kid === "") {
      throw unauthenticated("token has no key id");
    }
    try {
      return await keys(header, token);
    } catch (err) {
      if (
        err instanceof errors.JWKSNoMatchingKey ||
        err instanceof errors.JWKSMultipleMatchingKeys ||
        err instanceof errors.JOSENotSupported
      ) {
        throw err;
      }
      throw new KeySetUnavailable(err);
    }
  }

  const { verifiedCacheMs = 60_000, verifiedCacheSize = 10_000, now = Date.now } = options;
  // Keyed by the whole token, signature included: only a token that verified is ever found here.
  const verified = new Map<string, { readonly principal: Principal; readonly untilMs: number }>();
  return {
    async verify(token) {
      if (token.length > maxTokenLength) {
        throw unauthenticated("token is too long");
      }
      const remembered = verified.get(token);
      if (remembered !== undefined) {
        if (now() < remembered.untilMs) return remembered.principal;
        verified.delete(token);
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, resolveKey, {
          algorithms: ["ES256"],
          issuer,
          audience,
          clockTolerance: clockToleranceSec,
          requiredClaims: ["sub", "exp", "iat", "jti"],
        }));
      } catch (err) {
        throw toConnectError(err);
      }
      // jose checks `iat` only against a maximum token age; a token issued in the future is one its
      // issuer's clock did not sign, or one minted to outlive the lifetimes identity gives.
      if ((payload.iat ?? 0) > now() / 1000 + clockToleranceSec) {
        throw unauthenticated("token is issued in the future");
      }
      const principal = principalOf(payload, token);
      if (verifiedCacheMs > 0) {
        if (verified.size >= verifiedCacheSize) verified.delete(verified.keys().next().value as string);
        verified.set(token, { principal, untilMs: Math.min(principal.expiresAtMs, now() + verifiedCacheMs) });
      }
      return principal;
    },
  };
}

/**
 * The token of an `authorization` header value `Bearer <token>` (scheme case-insensitive, RFC 6750);
 * `undefined` when the header is absent, uses another scheme, or carries no well-formed token.
 */
export function bearerToken(authorizationHeader: string | undefined): string | undefined {
  const match = authorizationHeader?.match(/^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i);
  return match?.[1];
}

/** Well above any token identity issues (a few hundred bytes); bounds the work a stranger can cause. */
const maxTokenLength = 8192;

const roles: ReadonlySet<string> = new Set<Role>(["customer", "organizer", "admin"]);

/** A resolver from a token's protected header to its verification key. */
type KeySource = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey>;

/** Picks the key source for `jwksUrl`; see {@link TokenVerifierOptions.jwksUrl}. */
function keySource(jwksUrl: string, refreshCooldownMs: number): KeySource {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(jwksUrl)) {
    return fileKeySource(resolve(jwksUrl));
  }
  const url = new URL(jwksUrl);
  switch (url.protocol) {
    case "file:":
      return fileKeySource(fileURLToPath(url));
    case "https:":
      return createRemoteJWKSet(url, { cooldownDuration: refreshCooldownMs });
    case "http:":
      if (isLoopback(url.hostname)) {
        return createRemoteJWKSet(url, { cooldownDuration: refreshCooldownMs });
      }
      throw new Error(`jwksUrl must use https unless it points at this machine; got http://${url.host}`);
    default:
      throw new Error(`jwksUrl must be an https URL or a file path; got a ${url.protocol} URL`);
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Keys from a JWKS file: read on first use, then kept until a token names a kid they lack; then the
 * file is re-read if it changed on disk (identity or the dev launcher rotated keys).
 */
function fileKeySource(path: string): KeySource {
  let current: { readonly keys: LocalJWKSet; readonly version: string } | undefined;
  let pending: Promise<LocalJWKSet> | undefined;

  async function load(): Promise<LocalJWKSet> {
    // Stat before reading: if the file changes in between, the older stamp only costs one extra read.
    const info = await stat(path);
    const version = `${info.ino}:${info.size}:${info.mtimeMs}`;
    if (current?.version !== version) {
      current = { keys: createLocalJWKSet(JSON.parse(await readFile(path, "utf8"))), version };
    }
    return current.keys;
  }

  // Concurrent requests with a new kid share one reload.
  function reload(): Promise<LocalJWKSet> {
    pending ??= load().finally(() => {
      pending = undefined;
    });
    return pending;
  }

  return async (header, token) => {
    const keys = current?.keys ?? (await reload());
    try {
      return await keys(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey)) {
        throw err;
      }
      // Retry only with a newer key set (this reload or another request's); the same set would fail again.
      const latest = await reload();
      if (latest === keys) {
        throw err;
      }
      return latest(header, token);
    }
  };
}

/** The signing keys could not be fetched or read: no fault of the caller. */
class KeySetUnavailable extends Error {
  constructor(cause: unknown) {
    super("token signing keys are unavailable", { cause });
  }
}

function unauthenticated(message: string, cause?: unknown): ConnectError {
  return new ConnectError(message, Code.Unauthenticated, undefined, undefined, cause);
}

/**
 * Maps a verification failure to the caller's status. Messages name the failed check, never a claim's
 * value: they reach the caller and the logs. The original error stays as `cause` for the logs.
 */
function toConnectError(err: unknown): ConnectError {
  if (err instanceof ConnectError) {
    return err;
  }
  if (err instanceof KeySetUnavailable) {
    // Not the caller's fault: UNAVAILABLE lets clients retry instead of signing the user out.
    return new ConnectError(err.message, Code.Unavailable, undefined, undefined, err.cause);
  }
  if (err instanceof errors.JWTExpired) {
    return unauthenticated("token has expired", err);
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case "nbf":
        return unauthenticated("token is not yet valid", err);
      case "iss":
        return unauthenticated("token issuer is not accepted", err);
      case "aud":
        return unauthenticated("token audience is not accepted", err);
    }
    return err.reason === "missing"
      ? unauthenticated(`token lacks the "${err.claim}" claim`, err)
      : unauthenticated(`token claim "${err.claim}" is invalid`, err);
  }
  if (err instanceof errors.JOSEAlgNotAllowed) {
    return unauthenticated("token algorithm is not accepted: only ES256 is", err);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return unauthenticated("token signature is invalid", err);
  }
  if (err instanceof errors.JWKSNoMatchingKey) {
    return unauthenticated("token signing key is unknown", err);
  }
  if (err instanceof errors.JWKSMultipleMatchingKeys) {
    return unauthenticated("token signing key is ambiguous", err);
  }
  // JWSInvalid, JWTInvalid, JOSENotSupported and anything unforeseen: fail closed.
  return unauthenticated("token is malformed", err);
}

/** The principal of a verified payload; rejects claims the token contract does not allow. */
function principalOf(payload: JWTPayload, token: string): Principal {
  const subject = payload.sub;
  if (typeof subject !== "string" || subject === "") {
    throw unauthenticated('token lacks the "sub" claim');
  }
  const kind = kindOf(subject);
  if (kind !== "user" && payload.roles !== undefined) {
    throw unauthenticated("token carries roles, which only user tokens may");
  }
  if (kind !== "partner" && payload.scope !== undefined) {
    throw unauthenticated("token carries scopes, which only partner tokens may");
  }
  if (kind !== "user" && payload.amr !== undefined) {
    throw unauthenticated("token carries authentication methods, which only user tokens may");
  }
  return Object.freeze({
    subject,
    kind,
    roles: Object.freeze(rolesOf(payload.roles)),
    scopes: Object.freeze(scopesOf(payload.scope)),
    token,
    expiresAtMs: (payload.exp as number) * 1000,
    amr: Object.freeze(amrOf(payload.amr)),
  });
}

/** The `amr` claim (RFC 8176): an array of method names such as "pwd" and "otp"; absent is none. */
function amrOf(claim: unknown): string[] {
  if (claim === undefined) {
    return [];
  }
  if (!Array.isArray(claim) || !claim.every((method) => typeof method === "string" && /^[a-z]{1,16}$/.test(method))) {
    throw unauthenticated('token claim "amr" is invalid');
  }
  return [...new Set(claim as string[])];
}

/**
 * The kind of caller a subject names, checking its form: `svc:<name>` a Marquee service; `client:<id>` a
 * partner and anything else a user, whose ids (identity's UUIDs) must be in canonical lower-case form. A
 * user's or partner's id owns holds and counts against caps, so a second spelling of it would be a second
 * buyer; it is refused, never lower-cased (see `Checker.id`).
 */
function kindOf(subject: string): Principal["kind"] {
  if (subject.startsWith("svc:")) {
    if (subject.length === "svc:".length) throw unauthenticated('token subject "svc:" names no service');
    return "service";
  }
  if (subject.startsWith("client:")) {
    if (!isCanonicalUuid(subject.slice("client:".length))) {
      throw unauthenticated(
        "token subject is not a partner client: client:<id>, the id a UUID in canonical lower-case form",
      );
    }
    return "partner";
  }
  if (!isCanonicalUuid(subject)) {
    throw unauthenticated("token subject is not a user id: a UUID in canonical lower-case form");
  }
  return "user";
}

function rolesOf(claim: unknown): Role[] {
  if (claim === undefined) {
    return [];
  }
  if (!Array.isArray(claim) || !claim.every((role) => typeof role === "string" && roles.has(role))) {
    throw unauthenticated("token carries an unknown role");
  }
  return [...new Set(claim as Role[])];
}

function scopesOf(claim: unknown): string[] {
  if (claim === undefined) {
    return [];
  }
  if (typeof claim !== "string") {
    throw unauthenticated('token claim "scope" is invalid');
  }
  return [...new Set(claim.split(" ").filter((scope) => scope !== ""))];
}
