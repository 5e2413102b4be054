import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toJsonString } from "@bufbuild/protobuf";
import { Code, createTokenVerifier } from "@marquee/mesh";
import { failureOf, testKeys } from "@marquee/mesh/testing";
import { GetJwksResponseSchema } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { expect } from "chai";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { as, goodPassword, register, type TestIdentity, useIdentity } from "../support/testing.js";

const hourS = 3600;

/** GetJwks's answer in its JSON form, the standard JWKS document. */
async function jwksJson(env: TestIdentity): Promise<string> {
  return toJsonString(GetJwksResponseSchema, await env.client.getJwks({}));
}

/** A mesh verifier (the one every server and the BFF use) over a JWKS file written from GetJwks. */
async function verifierFromGetJwks(env: TestIdentity, dir: string) {
  const path = join(dir, `jwks-${Date.now()}-${Math.random()}.json`);
  writeFileSync(path, await jwksJson(env));
  return createTokenVerifier({ jwksUrl: path, verifiedCacheMs: 0 });
}

async function kidOfLogin(env: TestIdentity, email: string): Promise<string> {
  const { tokens } = await env.client.login({ email, password: goodPassword });
  return decodeProtectedHeader(tokens?.accessToken as string).kid as string;
}

describe("IdentityService.GetJwks and the access tokens it verifies", () => {
  const env = useIdentity({
    settings: {
      SIGNING_KEY_ROTATE_AFTER_S: String(hourS),
      SIGNING_KEY_PUBLISH_AHEAD_S: "600",
      ACCESS_TOKEN_TTL_S: "900",
      // Keys are kept for the longest token lifetime; partner tokens' is the users' here.
      PARTNER_TOKEN_TTL_S: "900",
      SIGNING_KEY_RETAIN_SLACK_S: "300",
    },
  });
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "identity-jwks-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("signs access tokens the mesh's verifier accepts, with the claims it expects", async () => {
    const account = await register(env);
    const header = decodeProtectedHeader(account.token);
    const claims = decodeJwt(account.token);
    expect(header).to.include({ alg: "ES256", typ: "at+jwt" });
    expect(claims).to.include({ iss: "marquee", aud: "marquee", sub: account.user.id });
    expect(claims.roles).to.deep.equal(["customer"]);
    expect((claims.exp as number) - (claims.iat as number)).to.equal(900);
    expect(claims.jti).to.be.a("string");
    expect(claims.scope).to.equal(undefined);

    const principal = await (await verifierFromGetJwks(env, dir)).verify(account.token);
    expect(principal).to.include({ subject: account.user.id, kind: "user" });
    expect(principal.roles).to.deep.equal(["customer"]);
  });

  it("serves a standard JWKS document: public EC P-256 keys with their kid, never a private part", async () => {
    const { keys } = JSON.parse(await jwksJson(env)) as { keys: Record<string, string>[] };
    expect(keys.length).to.be.at.least(1);
    for (const key of keys) {
      expect(key).to.include({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
      expect(Object.keys(key).sort()).to.deep.equal(["alg", "crv", "kid", "kty", "use", "x", "y"]);
    }
    // The same document over HTTP, as the BFF will publish it at /.well-known/jwks.json.
    const body = await jwksJson(env);
    const server = createServer((_request, response) => {
      response.setHeader("content-type", "application/json");
      response.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const verifier = createTokenVerifier({ jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json` });
      const account = await register(env);
      expect((await verifier.verify(account.token)).subject).to.equal(account.user.id);
    } finally {
      server.close();
    }
  });

  it("publishes its keys into JWKS_FILE beside the keys it did not issue", async () => {
    const { keys } = JSON.parse(readFileSync(env.jwksPath, "utf8")) as { keys: { kid: string }[] };
    const kids = keys.map((key) => key.kid);
    expect(kids).to.include((await testKeys()).signingKey.kid);
    for (const key of env.deps.keys.verificationKeys()) expect(kids).to.include(key.kid);
  });

  it("rotates keys without signing anyone out, and drops a retired key once its tokens have expired", async () => {
    const account = await register(env);
    const before = await env.client.login({ email: account.email, password: goodPassword });
    const oldToken = before.tokens?.accessToken as string;
    const oldKid = decodeProtectedHeader(oldToken).kid as string;
    const start = Date.now();
    const at = (seconds: number) => new Date(start + seconds * 1000);

    // Due for rotation: the next key is published, but does not sign until verifiers have fetched it.
    await env.deps.keys.rotate(at(hourS + 1));
    const published = env.deps.keys.verificationKeys().map((key) => key.kid);
    expect(published).to.have.length(2);
    expect(published[1]).to.equal(oldKid);
    const nextKid = published[0] as string;
    expect(await kidOfLogin(env, account.email)).to.equal(oldKid);

    // Ten minutes on, the next key signs; the old one verifies what it signed.
    await env.deps.keys.rotate(at(hourS + 601));
    expect(await kidOfLogin(env, account.email)).to.equal(nextKid);
    expect((await (await verifierFromGetJwks(env, dir)).verify(oldToken)).subject).to.equal(account.user.id);
    await env.client.getMe({}, as({ token: oldToken }));
    await env.client.refresh({ refreshToken: before.tokens?.refreshToken as string });

    // Not yet: the old key's tokens may live 15 minutes, plus 5 of slack.
    await env.deps.keys.rotate(at(hourS + 601 + 1199));
    expect(env.deps.keys.verificationKeys().map((key) => key.kid)).to.include(oldKid);
    await env.deps.keys.rotate(at(hourS + 601 + 1201));
    expect(env.deps.keys.verificationKeys().map((key) => key.kid)).to.deep.equal([nextKid]);
    const { keys } = JSON.parse(await jwksJson(env)) as { keys: { kid: string }[] };
    expect(keys.map((key) => key.kid)).to.deep.equal([nextKid]);
    const refused = await failureOf((await verifierFromGetJwks(env, dir)).verify(oldToken));
    expect(refused.code).to.equal(Code.Unauthenticated);
    expect(refused.rawMessage).to.equal("token signing key is unknown");
    const file = JSON.parse(readFileSync(env.jwksPath, "utf8")) as { keys: { kid: string }[] };
    expect(file.keys.map((key) => key.kid)).to.not.include(oldKid);
  });
});
