import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
  SignJWT,
} from "jose";
import { ensureDevKeys } from "../auth/dev-keys.js";

/** The key pair test tokens are signed with; see {@link testKeys}. */
export interface TestKeys {
  /** Point the verifier under test here (`jwksUrl`, or `AUTH_JWKS_URL` for a started service). */
  readonly jwksPath: string;
  /** The private ES256 JWK with its `kid`; tokens from this module are signed with it. */
  readonly signingKey: JWK;
  /** The file holding `signingKey` (`AUTH_SIGNING_KEY_FILE` for a started service). */
  readonly signingKeyPath: string;
}

let keys: Promise<TestKeys & { readonly privateKey: CryptoKey }> | undefined;

/**
 * The test key pair: created once per process in a temporary folder (removed when the process exits),
 * shared by every token this module mints and by every server a test starts.
 */
export async function testKeys(): Promise<TestKeys> {
  const { jwksPath, signingKey, signingKeyPath } = await loadKeys();
  return { jwksPath, signingKey, signingKeyPath };
}

function loadKeys(): Promise<TestKeys & { readonly privateKey: CryptoKey }> {
  keys ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "marquee-test-keys-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    const { jwksPath, signingKey, signingKeyPath } = await ensureDevKeys(dir);
    return { jwksPath, signingKey, signingKeyPath, privateKey: (await importJWK(signingKey, "ES256")) as CryptoKey };
  })();
  return keys;
}

/**
 * A canonical UUID of `name`'s own, the same on every call ("buyer-1" is always the same user, "order-1"
 * the same order): readable, repeatable ids for tests, now that user and order ids must be UUIDs in
 * canonical form. The SHA-256 of the name, laid out as an RFC 9562 version 8 UUID.
 */
export function testId(name: string): string {
  const hex = createHash("sha256").update(name).digest("hex");
  const variant = ((Number.parseInt(hex[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Made-up but stable user ids the shorthands sign in as, for asserting ownership. */
export const testUserIds = {
  customer: "00000000-0000-4000-8000-00000000c001",
  organizer: "00000000-0000-4000-8000-00000000c002",
  admin: "00000000-0000-4000-8000-00000000c003",
} as const;

/** What {@link mintTestToken} puts in a token. */
export interface TestTokenOptions {
  /** A user id, `client:<id>` or `svc:<name>` — unchecked, so tests can send malformed ones. */
  readonly sub: string;
  /** The `roles` claim, unchecked so tests can send unknown ones; omitted when absent. */
  readonly roles?: readonly string[];
  /** Joined into the space-separated `scope` claim; omitted when absent. */
  readonly scopes?: readonly string[];
  /** The `amr` claim, e.g. `["pwd", "otp"]` for a sign-in with a second factor; omitted when absent. */
  readonly amr?: readonly string[];
  /** `exp` relative to now, in seconds; negative for an expired token. @default 300 */
  readonly expiresInSec?: number;
  /** `nbf` relative to now, in seconds; no `nbf` when absent. */
  readonly notBeforeSec?: number;
  /** The header's `kid`. @default the test key's */
  readonly kid?: string;
  /** @default "marquee" */
  readonly issuer?: string;
  /** @default "marquee" */
  readonly audience?: string;
}

/** A token in the identity service's format, signed with the {@link testKeys} key. */
export async function mintTestToken(options: TestTokenOptions): Promise<string> {
  const { privateKey, signingKey } = await loadKeys();
  return sign(privateKey, { alg: "ES256", kid: options.kid ?? (signingKey.kid as string) }, claims(options));
}

/** A customer's token. `userId` is a canonical UUID, e.g. `testId("buyer-1")`, or the verifier refuses it. */
export function customerToken(userId: string = testUserIds.customer): Promise<string> {
  return mintTestToken({ sub: userId, roles: ["customer"] });
}

/** An organizer's token (organizer implies customer, so the one role is enough). */
export function organizerToken(userId: string = testUserIds.organizer): Promise<string> {
  return mintTestToken({ sub: userId, roles: ["organizer"] });
}

/** An admin's token. */
export function adminToken(userId: string = testUserIds.admin): Promise<string> {
  return mintTestToken({ sub: userId, roles: ["admin"] });
}

/**
 * A partner's client-credentials token, `sub: client:<clientId>`, carrying the scopes. `clientId` is a
 * canonical UUID, e.g. `testId("acme")`, as identity's client ids are.
 */
export function partnerToken(clientId: string, scopes: readonly string[]): Promise<string> {
  return mintTestToken({ sub: `client:${clientId}`, scopes });
}

/** A Marquee service's own token, `sub: svc:<name>`. */
export function serviceToken(name: string): Promise<string> {
  return mintTestToken({ sub: `svc:${name}` });
}

/** The attacks {@link forgedTokens} covers, each a way a token must fail verification. */
export type ForgedTokenAttack =
  | "malformed"
  | "expired"
  | "notYetValid"
  | "issuedInTheFuture"
  | "noExpiry"
  | "wrongSignature"
  | "algNone"
  | "hs256WithPublicKey"
  | "unknownKid"
  | "missingKid"
  | "wrongIssuer"
  | "wrongAudience"
  | "missingSub"
  | "unknownRole";

/**
 * One token per attack, each otherwise a valid customer token, that every verifier must reject
 * with UNAUTHENTICATED: loop over them in any server test that checks its authentication.
 * Minted fresh on each call, so the time-based ones are out of range by minutes, not seconds.
 */
export async function forgedTokens(): Promise<Readonly<Record<ForgedTokenAttack, string>>> {
  const { privateKey, signingKey } = await loadKeys();
  const kid = signingKey.kid as string;
  const es256 = { alg: "ES256", kid };
  const customer = { sub: testUserIds.customer, roles: ["customer"] };
  const other = await generateKeyPair("ES256");
  const otherKid = await calculateJwkThumbprint(await exportJWK(other.publicKey));
  const { d: _private, ...publicKey } = signingKey;
  // The classic key-confusion attack: the verifier's public key (PEM, as an RS/ES verifier loads it)
  // used as an HMAC secret, hoping the verifier picks the algorithm from the header.
  const publicPem = new TextEncoder().encode(await exportSPKI((await importJWK(publicKey, "ES256")) as CryptoKey));
  const now = Math.floor(Date.now() / 1000);
  const unsigned = (header: object, payload: object) =>
    `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.`;
  const { sub: _sub, ...withoutSub } = claims(customer);
  const { exp: _exp, ...withoutExp } = claims(customer);

  return {
    malformed: "not-a-jwt",
    expired: await sign(privateKey, es256, { ...claims(customer), iat: now - 600, exp: now - 300 }),
    notYetValid: await sign(privateKey, es256, claims({ ...customer, notBeforeSec: 300 })),
    issuedInTheFuture: await sign(privateKey, es256, { ...claims(customer), iat: now + 600, exp: now + 900 }),
    noExpiry: await sign(privateKey, es256, withoutExp),
    wrongSignature: await sign(other.privateKey, es256, claims(customer)),
    algNone: unsigned({ alg: "none", kid, typ: "JWT" }, claims(customer)),
    hs256WithPublicKey: await sign(publicPem, { alg: "HS256", kid }, claims(customer)),
    unknownKid: await sign(other.privateKey, { alg: "ES256", kid: otherKid }, claims(customer)),
    missingKid: await sign(privateKey, { alg: "ES256" }, claims(customer)),
    wrongIssuer: await sign(privateKey, es256, claims({ ...customer, issuer: "https://issuer.example" })),
    wrongAudience: await sign(privateKey, es256, claims({ ...customer, audience: "another-platform" })),
    missingSub: await sign(privateKey, es256, withoutSub),
    unknownRole: await sign(privateKey, es256, claims({ ...customer, roles: ["superuser"] })),
  };
}

function claims(options: TestTokenOptions): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: options.issuer ?? "marquee",
    aud: options.audience ?? "marquee",
    sub: options.sub,
    iat: now,
    exp: now + (options.expiresInSec ?? 300),
    ...(options.notBeforeSec === undefined ? {} : { nbf: now + options.notBeforeSec }),
    jti: randomUUID(),
    ...(options.roles === undefined ? {} : { roles: [...options.roles] }),
    ...(options.scopes === undefined ? {} : { scope: options.scopes.join(" ") }),
    ...(options.amr === undefined ? {} : { amr: [...options.amr] }),
  };
}

function sign(key: CryptoKey | Uint8Array, header: JWTHeaderParameters, payload: JWTPayload): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header).sign(key);
}
