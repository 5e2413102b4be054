import { randomUUID } from "node:crypto";
import { type CryptoKey, importJWK, type JWK, SignJWT } from "jose";

/** Options of {@link createServiceTokenMinter}. */
export interface ServiceTokenMinterOptions {
  /** This service's name, as in its folder and `OTEL_SERVICE_NAME`; the token's `sub` is `svc:<service>`. */
  readonly service: string;
  /** The ES256 private key to sign with, as a JWK carrying its `kid` (e.g. from `ensureDevKeys`). */
  readonly signingKey: JWK;
  /** Lifetime of each token, in seconds. @default 300 */
  readonly ttlSec?: number;
  /** The `iss` claim; must match the verifiers' issuer. @default "marquee" */
  readonly issuer?: string;
  /** The `aud` claim; must match the verifiers' audience. @default "marquee" */
  readonly audience?: string;
  /** The clock, in epoch milliseconds; tests replace it. @default Date.now */
  readonly now?: () => number;
}

/** Hands out this service's own bearer token; see {@link createServiceTokenMinter}. */
export interface ServiceTokenMinter {
  /** A valid service token: the cached one, or a fresh one once the cached one nears expiry. */
  token(): Promise<string>;
}

/**
 * Creates the minter background work (expiry sweepers, outbox relays, event consumers) uses to call
 * other services when no user's token is at hand: short-lived ES256 tokens with `sub: svc:<service>`,
 * no roles and no scopes, which servers see as a service principal (allowed on INTERNAL RPCs).
 * A token is reused until 60 s before it expires (half its lifetime if that is shorter), so a call
 * never leaves with a token about to lapse in flight.
 *
 * Throws at once when the key is not a private key with a `kid`, or the service name is empty.
 */
export function createServiceTokenMinter(options: ServiceTokenMinterOptions): ServiceTokenMinter {
  const { service, signingKey, ttlSec = 300, issuer = "marquee", audience = "marquee", now = Date.now } = options;
  if (!/^\S+$/.test(service)) {
    throw new Error("service token minter needs a service name without spaces");
  }
  if (typeof signingKey.kid !== "string" || signingKey.kid === "" || typeof signingKey.d !== "string") {
    throw new Error(`service token minter for ${service} needs a private signing key with a kid`);
  }
  if (!Number.isInteger(ttlSec) || ttlSec <= 0) {
    throw new Error(`service token minter for ${service} needs a positive whole ttlSec`);
  }
  const kid = signingKey.kid;
  const renewBeforeMs = Math.min(60_000, (ttlSec * 1000) / 2);
  let key: Promise<CryptoKey> | undefined;
  let cached: { readonly token: string; readonly expiresAtMs: number } | undefined;
  let minting: Promise<string> | undefined;

  async function mint(): Promise<string> {
    // Imported lazily so a bad key fails the first call, and a failure is retried on the next one.
    key ??= (importJWK(signingKey, "ES256") as Promise<CryptoKey>).catch((err: unknown) => {
      key = undefined;
      throw err;
    });
    const iat = Math.floor(now() / 1000);
    const exp = iat + ttlSec;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: "ES256", kid })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject(`svc:${service}`)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(await key);
    cached = { token, expiresAtMs: exp * 1000 };
    return token;
  }

  return {
    async token() {
      if (cached && now() < cached.expiresAtMs - renewBeforeMs) {
        return cached.token;
      }
      // Callers arriving while a token is being signed share it.
      minting ??= mint().finally(() => {
        minting = undefined;
      });
      return minting;
    },
  };
}
