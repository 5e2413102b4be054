import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { calculateJwkThumbprint, type JWK } from "jose";
import { ensureDevKeys } from "../../src/auth/dev-keys.js";

describe("ensureDevKeys", () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "marquee-dev-keys-"));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const published = (jwksPath: string) => (JSON.parse(readFileSync(jwksPath, "utf8")) as { keys: JWK[] }).keys;

  it("creates an ES256 private key whose kid is its thumbprint", async () => {
    const { signingKey, signingKeyPath } = await ensureDevKeys(dir);
    expect(signingKey).to.include({ kty: "EC", crv: "P-256", alg: "ES256" });
    expect(signingKey.d).to.be.a("string");
    expect(signingKey.kid).to.equal(await calculateJwkThumbprint(signingKey));
    expect(JSON.parse(readFileSync(signingKeyPath, "utf8"))).to.deep.equal(signingKey);
  });

  it("writes the private key readable by its owner only", async () => {
    const { signingKeyPath } = await ensureDevKeys(dir);
    expect(statSync(signingKeyPath).mode & 0o777).to.equal(0o600);
  });

  it("publishes only the public half in jwks.json", async () => {
    const { jwksPath, signingKey } = await ensureDevKeys(dir);
    const keys = published(jwksPath);
    expect(keys).to.have.length(1);
    expect(keys[0]).to.include({ kid: signingKey.kid, x: signingKey.x, y: signingKey.y });
    expect(keys[0]).not.to.have.property("d");
  });

  it("reuses the key pair on later calls", async () => {
    const first = await ensureDevKeys(dir);
    const second = await ensureDevKeys(dir);
    expect(second.signingKey).to.deep.equal(first.signingKey);
    expect(published(second.jwksPath)).to.have.length(1);
  });

  it("creates one key pair when called concurrently", async () => {
    const results = await Promise.all([ensureDevKeys(dir), ensureDevKeys(dir), ensureDevKeys(dir)]);
    expect(new Set(results.map(({ signingKey }) => signingKey.kid)).size).to.equal(1);
  });

  it("keeps other keys already published and adds its own when missing", async () => {
    const other = await ensureDevKeys(join(dir, "other"));
    const { jwksPath, signingKey } = await ensureDevKeys(dir);
    writeFileSync(jwksPath, JSON.stringify({ keys: published(other.jwksPath) }));

    await ensureDevKeys(dir);
    expect(published(jwksPath).map(({ kid }) => kid)).to.deep.equal([other.signingKey.kid, signingKey.kid]);
  });
});
