import { randomBytes, randomUUID } from "node:crypto";
import { link, mkdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";
import { readSigningKeyIfAny } from "./signing-key.js";

/** The development signing key and where its public half is published; see {@link ensureDevKeys}. */
export interface DevKeys {
  /** The public key set, `{ keys: [...] }`: what `AUTH_JWKS_URL` points at in development. */
  readonly jwksPath: string;
  /** The private key file (mode 0600). */
  readonly signingKeyPath: string;
  /** The private ES256 key as a JWK, `kid` = its RFC 7638 thumbprint, for minting tokens. */
  readonly signingKey: JWK;
}

/**
 * The development ES256 key pair in `dir`, created on first use and reused after, so tokens minted
 * before a restart stay valid. Until the identity service serves a JWKS, the dev launcher and the tests
 * sign tokens with `signingKey` and point verifiers at `jwksPath`. Keys other processes added to
 * `jwks.json` are kept. Safe to call from several processes at once: one key pair wins.
 */
export async function ensureDevKeys(dir: string): Promise<DevKeys> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const signingKeyPath = join(dir, "signing-key.json");
  const jwksPath = join(dir, "jwks.json");
  const signingKey = (await readSigningKeyIfAny(signingKeyPath)) ?? (await createSigningKey(signingKeyPath));
  await publish(jwksPath, publicJwk(signingKey));
  return { jwksPath, signingKeyPath, signingKey };
}

async function createSigningKey(path: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = await exportJWK(privateKey);
  const signingKey: JWK = { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: "ES256", use: "sig" };
  // Written aside, then linked into place: link fails if the name exists, so when two processes race
  // exactly one key wins, and nobody ever reads a half-written file.
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(temporary, `${JSON.stringify(signingKey, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  try {
    await link(temporary, path);
    return signingKey;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
      throw err;
    }
    return (await readSigningKeyIfAny(path)) as JWK;
  } finally {
    await unlink(temporary);
  }
}

function publicJwk({ kty, crv, x, y, kid, alg, use }: JWK): JWK {
  return { kty, crv, x, y, kid, alg, use };
}

/** Adds the key to the JWKS file unless it is there, keeping the keys already published. */
async function publish(jwksPath: string, key: JWK): Promise<void> {
  let keys: JWK[] = [];
  try {
    const parsed = JSON.parse(await readFile(jwksPath, "utf8")) as { keys?: unknown };
    // A file that is not a key set holds nothing to keep: it is derived data, so it is rewritten.
    keys = Array.isArray(parsed.keys) ? (parsed.keys as JWK[]) : [];
  } catch (err) {
    if (!(err instanceof SyntaxError) && (err as NodeJS.ErrnoException).code !== "ENOENT") {
      throw err;
    }
  }
  if (keys.some((published) => published.kid === key.kid)) {
    return;
  }
  // Renamed into place so a verifier re-reading the file never sees it half-written.
  const temporary = `${jwksPath}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ keys: [...keys, key] }, null, 2)}\n`, { mode: 0o644 });
  await rename(temporary, jwksPath);
}

/**
 * A user or partner token signed with the development key, in the identity service's format, for the
 * launcher's demo logins until the identity service issues real ones. Never used in production: the
 * chart has no development key.
 */
export async function mintDevToken(
  signingKey: JWK,
  claims: { readonly sub: string; readonly roles?: readonly string[]; readonly scopes?: readonly string[] },
  ttlSec = 12 * 3600,
): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({
    ...(claims.roles ? { roles: [...claims.roles] } : {}),
    ...(claims.scopes ? { scope: claims.scopes.join(" ") } : {}),
  })
    .setProtectedHeader({ alg: "ES256", kid: signingKey.kid as string })
    .setIssuer("marquee")
    .setAudience("marquee")
    .setSubject(claims.sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSec)
    .setJti(randomUUID())
    .sign(await importJWK(signingKey, "ES256"));
}
