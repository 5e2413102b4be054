import { randomUUID } from "node:crypto";
import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { as, registerAdmin, startIdentity, type TestIdentity } from "@marquee/identity/testing";
import { createLogger } from "@marquee/mesh";
import {
  codeOf,
  failureOf,
  serviceToken,
  startTestServer,
  type TestServer,
  testRedis,
  waitFor,
} from "@marquee/mesh/testing";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { expect } from "chai";
import { meshTestService } from "../../../services/mesh/test/support/mesh-test-service.js";
import { type Gateway, parseRateLimit, startGateway } from "../../src/gateway/index.js";
import { Code, MeshTestService, startFixture } from "../support/fixture.js";

/** The claims of a JWT, unverified: what the test reads of a token the endpoint issued. */
function decodeJwt(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
}

/** The RPC the token endpoint stands for, as rate-limit rules name it. */
const issueClientTokenRpc = `${IdentityService.typeName}/${IdentityService.method.issueClientToken.name}`;

/** An answer of the token endpoint: status, the headers that matter, and the JSON body. */
interface TokenAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

describe("the OAuth2 token endpoint, POST /oauth2/token (RFC 6749 §4.4), in front of a real identity", () => {
  let identity: TestIdentity;
  let upstream: TestServer;
  let gateway: Gateway;
  let baseUrl: string;
  let adminToken: string;
  let meshTest: Client<typeof MeshTestService>;
  /** A client granted events.read and orders.read, and its secret. */
  let clientId: string;
  let clientSecret: string;

  async function post(
    form: Record<string, string> | string,
    headers: Record<string, string> = {},
    method = "POST",
    url = baseUrl,
  ): Promise<TokenAnswer> {
    const response = await fetch(`${url}/oauth2/token`, {
      method,
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      ...(method === "GET" ? {} : { body: typeof form === "string" ? form : new URLSearchParams(form).toString() }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: JSON.parse(text) };
  }

  /** HTTP Basic as RFC 6749 §2.3.1 builds it: each part form-encoded, then base64 of "id:secret". */
  function basic(id: string, secret: string): Record<string, string> {
    const encoded = `${encodeURIComponent(id)}:${encodeURIComponent(secret)}`;
    return { authorization: `Basic ${Buffer.from(encoded).toString("base64")}` };
  }

  /** Expects a §5.2 error answer, never cached and never echoing the secret. */
  function expectError(answer: TokenAnswer, status: number, error: string): void {
    expect(answer.status, JSON.stringify(answer.body)).to.equal(status);
    expect(answer.body.error).to.equal(error);
    expect(answer.body.error_description)
      .to.be.a("string")
      .that.matches(/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/);
    expect(JSON.stringify(answer.body)).not.to.include(clientSecret);
    expect(answer.headers.get("cache-control")).to.equal("no-store");
    expect(answer.headers.get("content-type")).to.match(/^application\/json/);
  }

  async function newClient(scopes: string[]): Promise<{ clientId: string; clientSecret: string }> {
    const { client, clientSecret } = await identity.client.createPartnerClient(
      { client: { displayName: "Acme Travel", scopes } },
      as({ token: adminToken }),
    );
    return { clientId: client?.clientId ?? "", clientSecret };
  }

  before(async () => {
    identity = await startIdentity();
    upstream = await startTestServer([meshTestService({ charge: 0, validated: 0, echo: 0 })]);
    gateway = await startGateway({
      services: [IdentityService, MeshTestService],
      addressOf: (service) => (service === IdentityService ? identity.service.address : upstream.address),
      jwksUrl: identity.jwksPath,
      revocation: {
        identityAddress: identity.service.address,
        serviceToken: () => serviceToken("bff"),
        intervalMs: 100,
      },
      log: createLogger("bff-test", process.env.LOG_LEVEL ?? "silent"),
      port: 0,
      host: "127.0.0.1",
      maxRequestBytes: 64 * 1024,
      requestTimeoutMs: 5000,
    });
    baseUrl = `http://127.0.0.1:${gateway.port}`;
    meshTest = createClient(MeshTestService, createConnectTransport({ baseUrl, httpVersion: "1.1" }));
    adminToken = (await registerAdmin(identity)).token;
    ({ clientId, clientSecret } = await newClient(["events.read", "orders.read"]));
  });

  after(async () => {
    await gateway?.shutdown(0);
    await upstream?.close();
    await identity?.close();
  });

  describe("issuing", () => {
    it("answers a Basic-authenticated client with RFC 6749 §5.1's JSON: a Bearer token for an hour with every granted scope", async () => {
      const answer = await post({ grant_type: "client_credentials" }, basic(clientId, clientSecret));
      expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
      expect(Object.keys(answer.body).sort()).to.deep.equal(["access_token", "expires_in", "scope", "token_type"]);
      expect(answer.body).to.deep.include({ token_type: "Bearer", scope: "events.read orders.read" });
      expect(answer.body.expires_in).to.be.within(3595, 3600);
      expect(answer.headers.get("cache-control")).to.equal("no-store");
      expect(answer.headers.get("pragma")).to.equal("no-cache");
      expect(answer.headers.get("content-type")).to.match(/^application\/json/);
      expect(decodeJwt(answer.body.access_token as string)).to.include({
        sub: `client:${clientId}`,
        scope: "events.read orders.read",
      });
    });

    it("takes client_id and client_secret in the form instead, and narrows to the scope asked for", async () => {
      const answer = await post({
        grant_type: "client_credentials",
        client_id: clientId,
        client_secret: clientSecret,
        scope: "events.read",
      });
      expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
      expect(answer.body.scope).to.equal("events.read");
      expect(decodeJwt(answer.body.access_token as string).scope).to.equal("events.read");
    });

    it("gives a token the BFF honours exactly where the RPC's access option lists one of its scopes", async () => {
      const { access_token: token } = (
        await post({ grant_type: "client_credentials", scope: "events.read" }, basic(clientId, clientSecret))
      ).body;
      const headers = { authorization: `Bearer ${token as string}` };
      // OrganizerOnly lists events.read; AdminOnly lists no partner scope.
      expect((await meshTest.organizerOnly({}, { headers })).subject).to.equal(`client:${clientId}`);
      expect(await codeOf(meshTest.adminOnly({}, { headers }))).to.equal(Code.PermissionDenied);
    });

    it("keeps a client_id in the form beside Basic when it is the same client", async () => {
      const answer = await post(
        { grant_type: "client_credentials", client_id: clientId },
        basic(clientId, clientSecret),
      );
      expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    });
  });

  describe("refusing, with RFC 6749 §5.2's errors", () => {
    it("answers a wrong secret, an unknown client and no authentication with 401 invalid_client and a Basic challenge", async () => {
      for (const answer of [
        await post({ grant_type: "client_credentials" }, basic(clientId, `${clientSecret.slice(0, -1)}x`)),
        await post({ grant_type: "client_credentials", client_id: clientId, client_secret: "wrong" }),
        await post({ grant_type: "client_credentials" }, basic("00000000-0000-4000-8000-000000000000", clientSecret)),
        await post({ grant_type: "client_credentials" }),
        await post({ grant_type: "client_credentials", client_id: clientId }),
        await post({ grant_type: "client_credentials" }, { authorization: "Bearer abc" }),
        await post(
          { grant_type: "client_credentials" },
          { authorization: `Basic ${Buffer.from(clientId).toString("base64")}` },
        ),
      ]) {
        expectError(answer, 401, "invalid_client");
        expect(answer.headers.get("www-authenticate")).to.match(/^Basic realm="marquee"/);
      }
    });

    it("answers a missing, repeated or malformed request with 400 invalid_request", async () => {
      expectError(await post({}, basic(clientId, clientSecret)), 400, "invalid_request");
      expectError(
        await post("grant_type=client_credentials&grant_type=client_credentials", basic(clientId, clientSecret)),
        400,
        "invalid_request",
      );
      expectError(
        await post({ grant_type: "client_credentials", client_secret: clientSecret }, basic(clientId, clientSecret)),
        400,
        "invalid_request",
      );
      const json = await fetch(`${baseUrl}/oauth2/token`, {
        method: "POST",
        headers: { "content-type": "application/json", ...basic(clientId, clientSecret) },
        body: JSON.stringify({ grant_type: "client_credentials" }),
      });
      expectError(
        { status: json.status, headers: json.headers, body: (await json.json()) as Record<string, unknown> },
        400,
        "invalid_request",
      );
      expectError(
        await post(`grant_type=client_credentials&pad=${"x".repeat(9000)}`, basic(clientId, clientSecret)),
        413,
        "invalid_request",
      );
    });

    it("answers another method with 405 and Allow: POST", async () => {
      const answer = await post("", basic(clientId, clientSecret), "GET");
      expectError(answer, 405, "invalid_request");
      expect(answer.headers.get("allow")).to.equal("POST");
    });

    it("answers another grant type with 400 unsupported_grant_type", async () => {
      for (const grantType of ["password", "authorization_code", "refresh_token"]) {
        expectError(
          await post({ grant_type: grantType }, basic(clientId, clientSecret)),
          400,
          "unsupported_grant_type",
        );
      }
    });

    it("answers a scope the client is not granted, an unknown one or a malformed one with 400 invalid_scope", async () => {
      const refused = await post(
        { grant_type: "client_credentials", scope: "events.read orders.write" },
        basic(clientId, clientSecret),
      );
      expectError(refused, 400, "invalid_scope");
      expect(refused.body.error_description).to.include("orders.write");
      expectError(
        await post({ grant_type: "client_credentials", scope: "admin" }, basic(clientId, clientSecret)),
        400,
        "invalid_scope",
      );
      expectError(
        await post({ grant_type: "client_credentials", scope: 'events.read "x"' }, basic(clientId, clientSecret)),
        400,
        "invalid_scope",
      );
    });
  });

  describe("revocation", () => {
    it("refuses a revoked client's new token requests, and its tokens already issued within seconds", async () => {
      const partner = await newClient(["events.read"]);
      const { access_token: token } = (
        await post({ grant_type: "client_credentials" }, basic(partner.clientId, partner.clientSecret))
      ).body;
      const headers = { authorization: `Bearer ${token as string}` };
      expect((await meshTest.organizerOnly({}, { headers })).subject).to.equal(`client:${partner.clientId}`);

      await identity.client.revokePartnerClient({ clientId: partner.clientId }, as({ token: adminToken }));
      const revokedAt = Date.now();
      expectError(
        await post({ grant_type: "client_credentials" }, basic(partner.clientId, partner.clientSecret)),
        401,
        "invalid_client",
      );
      const refusal = await waitFor("the revoked client's token refused at the BFF", () =>
        failureOf(meshTest.organizerOnly({}, { headers })).catch(() => undefined),
      );
      expect(refusal.code).to.equal(Code.Unauthenticated);
      expect(Date.now() - revokedAt, "within a poll or two").to.be.below(2000);
      const other = (await post({ grant_type: "client_credentials" }, basic(clientId, clientSecret))).body.access_token;
      expect(
        (await meshTest.organizerOnly({}, { headers: { authorization: `Bearer ${other as string}` } })).subject,
      ).to.equal(`client:${clientId}`);
    });
  });

  describe("rate limits", () => {
    let limited: Gateway;
    let limitedUrl: string;

    before(async () => {
      // Behind a proxy, so each test picks its client address with x-forwarded-for.
      limited = await startGateway({
        services: [IdentityService],
        addressOf: () => identity.service.address,
        jwksUrl: identity.jwksPath,
        log: createLogger("bff-test", process.env.LOG_LEVEL ?? "silent"),
        port: 0,
        host: "127.0.0.1",
        maxRequestBytes: 64 * 1024,
        requestTimeoutMs: 5000,
        isBehindProxy: true,
        rateLimits: {
          redisUrl: await testRedis(),
          keyPrefix: `rl-test-${randomUUID()}:`,
          perIp: parseRateLimit("1000/s"),
          perUser: parseRateLimit("1000/s"),
          // A token a minute: nothing refills during the test.
          rules: [{ name: "sign-in", per: "ip", limit: parseRateLimit("1/m:3"), rpcs: [issueClientTokenRpc] }],
        },
      });
      limitedUrl = `http://127.0.0.1:${limited.port}`;
    });

    after(() => limited?.shutdown(0));

    function postFrom(ip: string, form: Record<string, string> | string, headers: Record<string, string> = {}) {
      return post(form, { ...headers, "x-forwarded-for": ip }, "POST", limitedUrl);
    }

    it("counts every request against IssueClientToken's per-IP buckets, and answers 429 temporarily_unavailable with Retry-After past them", async () => {
      const ip = "198.51.100.41";
      const good = { grant_type: "client_credentials" };
      // Good, wrong or malformed, each request takes a token.
      expect((await postFrom(ip, good, basic(clientId, clientSecret))).status).to.equal(200);
      expectError(await postFrom(ip, good, basic(clientId, "wrong")), 401, "invalid_client");
      expectError(await postFrom(ip, "grant_type=", basic(clientId, clientSecret)), 400, "invalid_request");

      const refused = await postFrom(ip, good, basic(clientId, clientSecret));
      expectError(refused, 429, "temporarily_unavailable");
      const retryAfter = Number(refused.headers.get("retry-after"));
      expect(retryAfter).to.be.within(1, 60);
      expect(Number.isInteger(retryAfter)).to.equal(true);
      // Another client address is not affected.
      expect((await postFrom("198.51.100.42", good, basic(clientId, clientSecret))).status).to.equal(200);
    });
  });

  it("is not served by a BFF that does not serve identity", async () => {
    const fixture = await startFixture();
    try {
      const response = await fetch(`${fixture.baseUrl}/oauth2/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=client_credentials",
      });
      expect(response.status).to.equal(404);
    } finally {
      await fixture.close();
    }
  });
});
