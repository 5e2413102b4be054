import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Code, ConnectError } from "@connectrpc/connect";
import { expect } from "chai";
import { type DevKeys, ensureDevKeys } from "../../src/auth/dev-keys.js";
import { createServiceTokenMinter } from "../../src/auth/service-token.js";
import { bearerToken, createTokenVerifier, type TokenVerifier } from "../../src/auth/verify-token.js";
import { hasSecondFactor } from "../../src/principal.js";
import {
  customerToken,
  type ForgedTokenAttack,
  forgedTokens,
  mintTestToken,
  organizerToken,
  partnerToken,
  serviceToken,
  testId,
  testKeys,
  testUserIds,
} from "../../src/testing/tokens.js";

/** The ConnectError a promise rejects with; fails the test if it resolves or throws anything else. */
async function rejection(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(ConnectError);
    return err as ConnectError;
  }
  expect.fail("expected a rejection");
}

/** A service token signed by the given dev key, to stand in for a token of a rotated-in key. */
function tokenSignedBy(keys: DevKeys): Promise<string> {
  return createServiceTokenMinter({ service: "sweeper", signingKey: keys.signingKey }).token();
}

const attacks: Record<ForgedTokenAttack, string> = {
  malformed: "is not a JWT at all",
  expired: "has expired",
  notYetValid: "is not yet valid",
  issuedInTheFuture: "was issued ten minutes in the future (iat ahead, no nbf)",
  noExpiry: "has no expiry",
  wrongSignature: "is signed by another key under the same kid",
  algNone: "is unsigned (alg none)",
  hs256WithPublicKey: "is HS256-signed with the public key as the secret",
  unknownKid: "names a kid the key set lacks",
  missingKid: "has no kid",
  wrongIssuer: "comes from another issuer",
  wrongAudience: "is meant for another audience",
  missingSub: "has no subject",
  unknownRole: "carries an unknown role",
};

describe("createTokenVerifier", () => {
  let verifier: TokenVerifier;

  before(async () => {
    verifier = createTokenVerifier({ jwksUrl: (await testKeys()).jwksPath });
  });

  describe("with valid tokens", () => {
    it("gives a user principal with the token's roles", async () => {
      const token = await organizerToken();
      const principal = await verifier.verify(token);
      expect(principal).to.deep.include({ subject: testUserIds.organizer, kind: "user", token });
      expect(principal.roles).to.deep.equal(["organizer"]);
      expect(principal.scopes).to.deep.equal([]);
    });

    it("gives a partner principal with the token's scopes and no roles", async () => {
      const principal = await verifier.verify(await partnerToken(testId("acme"), ["events:read", "orders:write"]));
      expect(principal).to.deep.include({ subject: `client:${testId("acme")}`, kind: "partner" });
      expect(principal.scopes).to.deep.equal(["events:read", "orders:write"]);
      expect(principal.roles).to.deep.equal([]);
    });

    it("gives a service principal for a svc: subject", async () => {
      const principal = await verifier.verify(await serviceToken("inventory"));
      expect(principal).to.deep.include({ subject: "svc:inventory", kind: "service" });
      expect(principal.roles).to.deep.equal([]);
      expect(principal.scopes).to.deep.equal([]);
    });

    it("reports the token's expiry in epoch milliseconds", async () => {
      const before = Date.now();
      const principal = await verifier.verify(await mintTestToken({ sub: testId("u1"), expiresInSec: 120 }));
      expect(principal.expiresAtMs).to.be.within(Math.floor(before / 1000) * 1000 + 120_000, Date.now() + 120_000);
    });

    it("accepts a token expired by less than the clock tolerance", async () => {
      const principal = await verifier.verify(await mintTestToken({ sub: testId("u1"), expiresInSec: -2 }));
      expect(principal.subject).to.equal(testId("u1"));
    });

    it("accepts a user token without roles as a signed-in user with none", async () => {
      const principal = await verifier.verify(await mintTestToken({ sub: testId("u1") }));
      expect(principal).to.deep.include({ kind: "user", roles: [] });
    });

    it("gives a user's authentication methods (amr), and tells a second factor from a password alone", async () => {
      const withCode = await verifier.verify(await mintTestToken({ sub: testId("u1"), amr: ["pwd", "otp"] }));
      expect(withCode.amr).to.deep.equal(["pwd", "otp"]);
      expect(hasSecondFactor(withCode)).to.equal(true);
      const passwordOnly = await verifier.verify(await mintTestToken({ sub: testId("u1"), amr: ["pwd"] }));
      expect(hasSecondFactor(passwordOnly)).to.equal(false);
      const none = await verifier.verify(await mintTestToken({ sub: testId("u2") }));
      expect(none.amr).to.deep.equal([]);
      expect(hasSecondFactor(none)).to.equal(false);
    });

    it("refuses amr on a partner or service token, and an amr that is not a list of method names", async () => {
      for (const token of [
        await mintTestToken({ sub: `client:${testId("acme")}`, scopes: ["events.read"], amr: ["otp"] }),
        await mintTestToken({ sub: "svc:ordering", amr: ["otp"] }),
      ]) {
        expect((await rejection(verifier.verify(token))).code).to.equal(Code.Unauthenticated);
      }
      const malformed = await mintTestToken({ sub: testId("u1"), amr: ["pwd", "OTP!"] });
      expect((await rejection(verifier.verify(malformed))).code).to.equal(Code.Unauthenticated);
    });
  });

  describe("with forged tokens", () => {
    let forged: Readonly<Record<ForgedTokenAttack, string>>;

    before(async () => {
      forged = await forgedTokens();
    });

    for (const [attack, description] of Object.entries(attacks) as [ForgedTokenAttack, string][]) {
      it(`rejects a token that ${description} with UNAUTHENTICATED`, async () => {
        const error = await rejection(verifier.verify(forged[attack]));
        expect(error.code).to.equal(Code.Unauthenticated);
      });
    }

    it("never echoes any part of the token in the error message", async () => {
      for (const token of Object.values(forged)) {
        const error = await rejection(verifier.verify(token));
        for (const part of token.split(".").filter((segment) => segment.length > 8)) {
          expect(error.rawMessage).not.to.include(part);
        }
      }
    });

    it("says which check failed", async () => {
      expect((await rejection(verifier.verify(forged.expired))).rawMessage).to.equal("token has expired");
      expect((await rejection(verifier.verify(forged.algNone))).rawMessage).to.match(/algorithm/);
      expect((await rejection(verifier.verify(forged.wrongSignature))).rawMessage).to.match(/signature/);
      expect((await rejection(verifier.verify(forged.unknownKid))).rawMessage).to.match(/key is unknown/);
      expect((await rejection(verifier.verify(forged.wrongAudience))).rawMessage).to.match(/audience/);
    });
  });

  describe("with tokens that break the subject rules", () => {
    const cases: [string, Parameters<typeof mintTestToken>[0]][] = [
      ["roles on a partner token", { sub: `client:${testId("acme")}`, roles: ["admin"] }],
      ["roles on a service token", { sub: "svc:ordering", roles: ["admin"] }],
      ["scopes on a user token", { sub: testId("u1"), roles: ["customer"], scopes: ["events:read"] }],
      ["a client: subject with no client id", { sub: "client:" }],
      ["a svc: subject with no service name", { sub: "svc:" }],
      ["an upper-case role name", { sub: testId("u1"), roles: ["Admin"] }],
      // Issue #20: a user's id in another spelling would be a second user, with a second per-user cap.
      ["a user id in upper case", { sub: testUserIds.customer.toUpperCase(), roles: ["customer"] }],
      ["a user id with one upper-case letter", { sub: testUserIds.customer.replace("c", "C"), roles: ["customer"] }],
      ["a user id that is not a UUID", { sub: "u1", roles: ["customer"] }],
      ["a user id with braces", { sub: `{${testUserIds.customer}}`, roles: ["customer"] }],
      ["a user id without hyphens", { sub: testUserIds.customer.replaceAll("-", ""), roles: ["customer"] }],
      ["a user id with spaces around it", { sub: ` ${testUserIds.customer} `, roles: ["customer"] }],
      ["a partner client id in upper case", { sub: `client:${testId("acme").toUpperCase()}`, scopes: ["events.read"] }],
      ["a partner client id that is not a UUID", { sub: "client:acme", scopes: ["events.read"] }],
    ];
    for (const [name, options] of cases) {
      it(`rejects ${name} with UNAUTHENTICATED`, async () => {
        const error = await rejection(verifier.verify(await mintTestToken(options)));
        expect(error.code).to.equal(Code.Unauthenticated);
      });
    }

    it("says a user's subject must be a canonical UUID, without echoing it", async () => {
      const sub = testUserIds.customer.toUpperCase();
      const error = await rejection(verifier.verify(await mintTestToken({ sub, roles: ["customer"] })));
      expect(error.rawMessage).to.equal("token subject is not a user id: a UUID in canonical lower-case form");
      expect(error.rawMessage).not.to.include(sub);
    });

    it("rejects a token far longer than identity issues", async () => {
      const error = await rejection(verifier.verify(`${await customerToken()}${"A".repeat(9000)}`));
      expect(error.code).to.equal(Code.Unauthenticated);
    });
  });

  describe("with a JWKS file", () => {
    let dir: string;

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "marquee-verify-"));
    });

    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it("picks up a key added to the file after the verifier started", async () => {
      const current = await ensureDevKeys(join(dir, "current"));
      const rotated = await ensureDevKeys(join(dir, "rotated"));
      const fileVerifier = createTokenVerifier({ jwksUrl: current.jwksPath });
      await fileVerifier.verify(await tokenSignedBy(current));
      const token = await tokenSignedBy(rotated);
      expect((await rejection(fileVerifier.verify(token))).code).to.equal(Code.Unauthenticated);

      const jwks = JSON.parse(readFileSync(current.jwksPath, "utf8")) as { keys: unknown[] };
      const [rotatedKey] = (JSON.parse(readFileSync(rotated.jwksPath, "utf8")) as { keys: unknown[] }).keys;
      writeFileSync(current.jwksPath, JSON.stringify({ keys: [...jwks.keys, rotatedKey] }));

      expect((await fileVerifier.verify(token)).subject).to.equal("svc:sweeper");
      expect((await fileVerifier.verify(await tokenSignedBy(current))).subject).to.equal("svc:sweeper");
    });

    it("stops accepting a key removed from the file once the file is re-read", async () => {
      const current = await ensureDevKeys(join(dir, "current"));
      const retired = await ensureDevKeys(join(dir, "retired"));
      const both = [current, retired].flatMap(
        (keys) => (JSON.parse(readFileSync(keys.jwksPath, "utf8")) as { keys: unknown[] }).keys,
      );
      const jwksPath = join(dir, "jwks.json");
      writeFileSync(jwksPath, JSON.stringify({ keys: both }));
      const fileVerifier = createTokenVerifier({ jwksUrl: jwksPath });
      await fileVerifier.verify(await tokenSignedBy(retired));

      writeFileSync(jwksPath, readFileSync(current.jwksPath));
      const newcomer = await ensureDevKeys(join(dir, "newcomer"));
      await rejection(fileVerifier.verify(await tokenSignedBy(newcomer)));
      expect((await rejection(fileVerifier.verify(await tokenSignedBy(retired)))).code).to.equal(Code.Unauthenticated);
    });

    it("accepts the file as a file:// URL", async () => {
      const keys = await ensureDevKeys(dir);
      const fileVerifier = createTokenVerifier({ jwksUrl: pathToFileURL(keys.jwksPath).href });
      expect((await fileVerifier.verify(await tokenSignedBy(keys))).kind).to.equal("service");
    });

    it("answers UNAVAILABLE while the file cannot be read, and recovers once it can", async () => {
      const keys = await ensureDevKeys(join(dir, "later"));
      const jwksPath = join(dir, "missing.json");
      const fileVerifier = createTokenVerifier({ jwksUrl: jwksPath });
      const token = await tokenSignedBy(keys);
      expect((await rejection(fileVerifier.verify(token))).code).to.equal(Code.Unavailable);

      writeFileSync(jwksPath, readFileSync(keys.jwksPath));
      expect((await fileVerifier.verify(token)).subject).to.equal("svc:sweeper");
    });
  });

  describe("remembering verified tokens", () => {
    let dir: string;

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "marquee-verify-cache-"));
    });

    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    /** A verifier over a JWKS file holding a key to retire and a key to keep, on a clock the test moves. */
    async function withRetiringKey(verifiedCacheMs?: number) {
      const retiring = await ensureDevKeys(join(dir, "retiring"));
      const kept = await ensureDevKeys(join(dir, "kept"));
      const jwksPath = join(dir, "jwks.json");
      const keysOf = (keys: DevKeys) => (JSON.parse(readFileSync(keys.jwksPath, "utf8")) as { keys: unknown[] }).keys;
      writeFileSync(jwksPath, JSON.stringify({ keys: [...keysOf(retiring), ...keysOf(kept)] }));
      const clock = { ms: Date.now() };
      const verifier = createTokenVerifier({
        jwksUrl: jwksPath,
        now: () => clock.ms,
        ...(verifiedCacheMs ? { verifiedCacheMs } : {}),
      });
      return {
        clock,
        verifier,
        retiring,
        /** Takes the retiring key out of the file, and makes the verifier re-read it (an unknown kid does). */
        async retire() {
          writeFileSync(jwksPath, JSON.stringify({ keys: keysOf(kept) }));
          await rejection(verifier.verify(await tokenSignedBy(await ensureDevKeys(join(dir, "newcomer")))));
        },
      };
    }

    it("answers a token it verified from memory until the cache time, then checks it again", async () => {
      const { clock, verifier: cached, retiring, retire } = await withRetiringKey(60_000);
      const token = await tokenSignedBy(retiring);
      const first = await cached.verify(token);
      await retire();
      expect((await rejection(cached.verify(await tokenSignedBy(retiring)))).code).to.equal(Code.Unauthenticated);
      expect(await cached.verify(token)).to.equal(first);
      clock.ms += 60_001;
      expect((await rejection(cached.verify(token))).code).to.equal(Code.Unauthenticated);
    });

    it("never remembers past the token's exp, nor a token it refused", async () => {
      const { clock, verifier: cached, retiring, retire } = await withRetiringKey();
      const shortLived = await createServiceTokenMinter({
        service: "sweeper",
        signingKey: retiring.signingKey,
        ttlSec: 30,
      }).token();
      await cached.verify(shortLived);
      await retire();
      clock.ms += 30_001;
      expect((await rejection(cached.verify(shortLived))).code).to.equal(Code.Unauthenticated);
      const { wrongSignature: forged } = await forgedTokens();
      for (let i = 0; i < 2; i++) expect((await rejection(cached.verify(forged))).code).to.equal(Code.Unauthenticated);
    });
  });

  describe("with a JWKS URL", () => {
    // jose's remote key set fetches any http(s) URL, and the verifier allows plain http for loopback
    // hosts, so a local http server exercises the same code path an https JWKS does, without a
    // self-signed certificate the test process would have to trust.
    let server: Server;
    let url: string;
    let published: unknown[];
    let fetches: number;
    let dir: string;
    let current: DevKeys;
    let rotated: DevKeys;

    const publicKeyOf = (keys: DevKeys) =>
      (JSON.parse(readFileSync(keys.jwksPath, "utf8")) as { keys: unknown[] }).keys[0];

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "marquee-verify-url-"));
      current = await ensureDevKeys(join(dir, "current"));
      rotated = await ensureDevKeys(join(dir, "rotated"));
      server = createServer((_request, response) => {
        fetches++;
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: published }));
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    });

    after(async () => {
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    });

    beforeEach(() => {
      published = [publicKeyOf(current)];
      fetches = 0;
    });

    it("fetches the key set once and serves later tokens from its cache", async () => {
      const urlVerifier = createTokenVerifier({ jwksUrl: url });
      await urlVerifier.verify(await tokenSignedBy(current));
      await urlVerifier.verify(await tokenSignedBy(current));
      expect(fetches).to.equal(1);
    });

    it("refetches on an unknown kid once the cooldown has passed, picking up a rotated-in key", async () => {
      const urlVerifier = createTokenVerifier({ jwksUrl: url, refreshCooldownMs: 0 });
      await urlVerifier.verify(await tokenSignedBy(current));
      published = [publicKeyOf(current), publicKeyOf(rotated)];

      expect((await urlVerifier.verify(await tokenSignedBy(rotated))).subject).to.equal("svc:sweeper");
      expect(fetches).to.equal(2);
    });

    it("does not refetch on an unknown kid within the cooldown, and rejects the token", async () => {
      const urlVerifier = createTokenVerifier({ jwksUrl: url, refreshCooldownMs: 60_000 });
      await urlVerifier.verify(await tokenSignedBy(current));
      published = [publicKeyOf(current), publicKeyOf(rotated)];

      const error = await rejection(urlVerifier.verify(await tokenSignedBy(rotated)));
      expect(error.code).to.equal(Code.Unauthenticated);
      expect(fetches).to.equal(1);
    });

    it("rejects every forged token with UNAUTHENTICATED", async () => {
      // The test key only: identity's tests publish their own keys into the same file.
      const { jwksPath, signingKey } = await testKeys();
      const { keys } = JSON.parse(readFileSync(jwksPath, "utf8")) as { keys: { kid?: string }[] };
      published = keys.filter((key) => key.kid === signingKey.kid);
      const urlVerifier = createTokenVerifier({ jwksUrl: url, refreshCooldownMs: 0 });
      for (const token of Object.values(await forgedTokens())) {
        expect((await rejection(urlVerifier.verify(token))).code).to.equal(Code.Unauthenticated);
      }
      expect((await urlVerifier.verify(await customerToken())).subject).to.equal(testUserIds.customer);
    });

    it("answers UNAVAILABLE when the key set cannot be fetched", async () => {
      const unreachable = createServer();
      await new Promise<void>((resolve) => unreachable.listen(0, "127.0.0.1", resolve));
      const { port } = unreachable.address() as AddressInfo;
      await new Promise((resolve) => unreachable.close(resolve));

      const urlVerifier = createTokenVerifier({ jwksUrl: `http://127.0.0.1:${port}/jwks.json` });
      expect((await rejection(urlVerifier.verify(await tokenSignedBy(current)))).code).to.equal(Code.Unavailable);
    });
  });

  describe("when created", () => {
    it("refuses a plain-http URL to another host", () => {
      expect(() => createTokenVerifier({ jwksUrl: "http://identity:8080/jwks.json" })).to.throw(/https/);
    });

    it("refuses a URL scheme it cannot load keys from", () => {
      expect(() => createTokenVerifier({ jwksUrl: "ftp://identity/jwks.json" })).to.throw(/https URL or a file/);
    });
  });
});

describe("bearerToken", () => {
  it("returns the token of a Bearer header", () => {
    expect(bearerToken("Bearer abc.def-_.ghi")).to.equal("abc.def-_.ghi");
  });

  it("reads the scheme case-insensitively", () => {
    expect(bearerToken("bearer abc")).to.equal("abc");
    expect(bearerToken("BEARER abc")).to.equal("abc");
  });

  it("returns undefined without a header", () => {
    expect(bearerToken(undefined)).to.equal(undefined);
  });

  it("returns undefined for another scheme", () => {
    expect(bearerToken("Basic dXNlcjpwYXNz")).to.equal(undefined);
  });

  it("returns undefined for a Bearer header without a well-formed token", () => {
    expect(bearerToken("Bearer")).to.equal(undefined);
    expect(bearerToken("Bearer ")).to.equal(undefined);
    expect(bearerToken("Bearer a b")).to.equal(undefined);
    expect(bearerToken("Bearerabc")).to.equal(undefined);
  });
});
