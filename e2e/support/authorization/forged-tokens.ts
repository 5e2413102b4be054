import { createPublicKey, randomUUID } from "node:crypto";
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
  SignJWT,
} from "jose";

/**
 * Tokens an attacker builds, each against the stack's development key — the key every verifier of the
 * stack trusts, so that the one thing wrong with each token is its attack. The claims are those the mesh
 * verifier requires (services/mesh/src/auth/verify-token.ts): `iss` and `aud` "marquee", `sub`, `iat`,
 * `exp`, `jti`, a `kid` in the header, ES256 only.
 */
export class TokenForge {
  private constructor(
    private readonly signingKey: JWK,
    private readonly privateKey: CryptoKey,
  ) {}

  /** A forge for the private ES256 JWK (with its `kid`) the stack's verifiers trust. */
  static async of(signingKey: JWK): Promise<TokenForge> {
    return new TokenForge(signingKey, (await importJWK(signingKey, "ES256")) as CryptoKey);
  }

  private get kid(): string {
    return this.signingKey.kid as string;
  }

  /** The claims of a valid user token of `sub`, times relative to now; `changes` replace any of them. */
  claims(sub: string, roles: readonly string[], changes: JWTPayload = {}): JWTPayload {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: "marquee",
      aud: "marquee",
      sub,
      roles: [...roles],
      iat: now,
      exp: now + 600,
      jti: randomUUID(),
      ...changes,
    };
  }

  /** A token signed honestly with the trusted key: what each attack is measured against. */
  honest(payload: JWTPayload): Promise<string> {
    return sign(this.privateKey, { alg: "ES256", kid: this.kid, typ: "JWT" }, payload);
  }

  /** Signed by a key of the attacker's, under the trusted key's `kid`. */
  async wrongSignature(payload: JWTPayload): Promise<string> {
    const { privateKey } = await generateKeyPair("ES256");
    return sign(privateKey, { alg: "ES256", kid: this.kid, typ: "JWT" }, payload);
  }

  /** Signed by a key of the attacker's under its own `kid`, which no JWKS of the stack lists. */
  async unknownKid(payload: JWTPayload): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
    return sign(privateKey, { alg: "ES256", kid, typ: "JWT" }, payload);
  }

  /** `alg: none` and no signature, under the trusted `kid`. */
  algNone(payload: JWTPayload): string {
    return `${encoded({ alg: "none", kid: this.kid, typ: "JWT" })}.${encoded(payload)}.`;
  }

  /**
   * The key-confusion attack: HS256 with the verifier's own public key as the HMAC secret, hoping it picks
   * the algorithm from the header — once with the key as PEM (how an RS/ES verifier loads it), once as the
   * JWK's JSON (how a JWKS serves it).
   */
  async hs256WithPublicKey(payload: JWTPayload): Promise<string[]> {
    const { kty, crv, x, y } = this.signingKey;
    const publicJwk = { kty, crv, x, y };
    const pem = createPublicKey({ key: publicJwk as never, format: "jwk" }).export({ type: "spki", format: "pem" });
    const header = { alg: "HS256", kid: this.kid, typ: "JWT" };
    return Promise.all(
      [String(pem), JSON.stringify(publicJwk)].map((secret) => sign(new TextEncoder().encode(secret), header, payload)),
    );
  }
}

/**
 * `token` with its claims changed after signing: the header and the signature kept, the payload
 * re-encoded with `changes` applied — roles raised, the subject swapped.
 */
export function tampered(token: string, changes: JWTPayload): string {
  const [header, payload, signature] = token.split(".");
  const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString()) as JWTPayload;
  return `${header}.${encoded({ ...claims, ...changes })}.${signature}`;
}

/** The decoded payload of a JWT, unverified: what a test reads of identity's own tokens. */
export function claimsOf(token: string): JWTPayload {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as JWTPayload;
}

function encoded(part: object): string {
  return Buffer.from(JSON.stringify(part)).toString("base64url");
}

function sign(key: CryptoKey | Uint8Array, header: JWTHeaderParameters, payload: JWTPayload): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header).sign(key);
}
