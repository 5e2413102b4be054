import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { type DevKeys, ensureDevKeys } from "../../src/auth/dev-keys.js";
import { createServiceTokenMinter } from "../../src/auth/service-token.js";
import { createTokenVerifier } from "../../src/auth/verify-token.js";

describe("createServiceTokenMinter", () => {
  let dir: string;
  let keys: DevKeys;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "marquee-service-token-"));
    keys = await ensureDevKeys(dir);
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("mints a token the verifier accepts as the service's principal", async () => {
    const token = await createServiceTokenMinter({ service: "inventory", signingKey: keys.signingKey }).token();
    const principal = await createTokenVerifier({ jwksUrl: keys.jwksPath }).verify(token);
    expect(principal).to.deep.include({ subject: "svc:inventory", kind: "service", roles: [], scopes: [] });
  });

  it("signs with ES256 under the key's kid and carries the contract's claims", async () => {
    const token = await createServiceTokenMinter({
      service: "ordering",
      signingKey: keys.signingKey,
      ttlSec: 120,
    }).token();
    expect(decodeProtectedHeader(token)).to.deep.equal({ alg: "ES256", kid: keys.signingKey.kid });
    const claims = decodeJwt(token);
    expect(claims).to.include({ iss: "marquee", aud: "marquee", sub: "svc:ordering" });
    expect(claims.jti).to.be.a("string");
    expect((claims.exp as number) - (claims.iat as number)).to.equal(120);
  });

  it("returns the cached token until 60 s before it expires", async () => {
    let nowMs = 1_700_000_000_000;
    const minter = createServiceTokenMinter({ service: "sweeper", signingKey: keys.signingKey, now: () => nowMs });
    const first = await minter.token();
    nowMs += 239_000;
    expect(await minter.token()).to.equal(first);
    nowMs += 1_000;
    const renewed = await minter.token();
    expect(renewed).not.to.equal(first);
    expect(decodeJwt(renewed).iat).to.equal(Math.floor(nowMs / 1000));
  });

  it("signs once for callers that ask at the same time", async () => {
    const minter = createServiceTokenMinter({ service: "relay", signingKey: keys.signingKey });
    const tokens = await Promise.all([minter.token(), minter.token(), minter.token()]);
    expect(new Set(tokens).size).to.equal(1);
  });

  it("refuses a public key", () => {
    const { d: _private, ...publicKey } = keys.signingKey;
    expect(() => createServiceTokenMinter({ service: "relay", signingKey: publicKey })).to.throw(/private/);
  });

  it("refuses a key without a kid", () => {
    const { kid: _kid, ...withoutKid } = keys.signingKey;
    expect(() => createServiceTokenMinter({ service: "relay", signingKey: withoutKid })).to.throw(/kid/);
  });
});
