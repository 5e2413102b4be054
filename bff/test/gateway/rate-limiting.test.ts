import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { fromBinary } from "@bufbuild/protobuf";
import { type Client, ConnectError, createClient as createConnectClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-node";
import { createClient, type MeshClient, metricsRegistry } from "@marquee/mesh";
import {
  customerToken,
  forgedTokens,
  freePort,
  organizerToken,
  testId,
  testRedis,
  waitFor,
} from "@marquee/mesh/testing";
import { RetryInfoSchema } from "@marquee/proto/google/rpc/error_details_pb.js";
import { expect } from "chai";
import { Redis } from "ioredis";
import { parseRateLimit, type RateLimitOptions } from "../../src/gateway/index.js";
import { Code, type Fixture, MeshTestService, startFixture } from "../support/fixture.js";

const service = "marquee.meshtest.v1.MeshTestService";

/** Limits small enough to exceed in a test, and slow enough (a token a minute) not to refill during one. */
function limits(redisUrl: string, overrides: Partial<RateLimitOptions> = {}): RateLimitOptions {
  return {
    redisUrl,
    keyPrefix: `rl-test-${randomUUID()}:`,
    perIp: parseRateLimit("1000/s"),
    perUser: parseRateLimit("1000/s"),
    rules: [
      { name: "charges", per: "user", limit: parseRateLimit("1/m:5"), rpcs: [`${service}/Charge`] },
      { name: "echoes", per: "ip", limit: parseRateLimit("1/m:3"), rpcs: [`${service}/Echo`] },
      // Quick to refill: a token every 200 ms.
      { name: "organizers", per: "user", limit: parseRateLimit("5/s:1"), rpcs: [`${service}/OrganizerOnly`] },
    ],
    ...overrides,
  };
}

/** A Connect JSON call as a browser's fetch makes it: status, headers and the decoded body. */
async function post(fixture: Fixture, rpc: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${fixture.baseUrl}/${service}/${rpc}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: "{}",
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: JSON.parse(text) as Record<string, unknown> };
}

/** The RetryInfo delay of an error, in milliseconds; undefined without one. */
function retryDelayMs(error: ConnectError): number | undefined {
  const [info] = error.findDetails(RetryInfoSchema);
  if (info?.retryDelay === undefined) return undefined;
  return Number(info.retryDelay.seconds) * 1000 + info.retryDelay.nanos / 1_000_000;
}

/** The RetryInfo delay of a Connect JSON error body, in milliseconds. */
function jsonRetryDelayMs(json: Record<string, unknown>): number | undefined {
  const details = (json.details ?? []) as { type: string; value: string }[];
  const detail = details.find((d) => d.type === "google.rpc.RetryInfo");
  if (detail === undefined) return undefined;
  const info = fromBinary(RetryInfoSchema, Buffer.from(detail.value, "base64"));
  return Number(info.retryDelay?.seconds ?? 0n) * 1000 + (info.retryDelay?.nanos ?? 0) / 1_000_000;
}

async function outcomes<T>(calls: readonly Promise<T>[]) {
  const settled = await Promise.allSettled(calls);
  return {
    passed: settled.filter((s) => s.status === "fulfilled").length,
    refusals: settled.flatMap((s) => (s.status === "rejected" ? [ConnectError.from(s.reason)] : [])),
  };
}

async function counterValue(name: string): Promise<number> {
  const metric = (await metricsRegistry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? []).reduce((sum, value) => sum + value.value, 0);
}

describe("rate limiting (token buckets in a real Redis)", () => {
  let redisUrl: string;

  before(async () => {
    redisUrl = await testRedis();
  });

  describe("behind a trusted proxy", () => {
    let fixture: Fixture;
    let grpc: MeshClient<typeof MeshTestService>;
    let grpcWeb: Client<typeof MeshTestService>;

    before(async () => {
      // Behind a proxy, so each test picks its own client address with x-forwarded-for.
      fixture = await startFixture({
        isBehindProxy: true,
        rateLimits: limits(redisUrl, { exempt: [testId("rl-exempt"), "198.51.100.250"] }),
      });
      grpc = createClient(MeshTestService, {
        address: fixture.address,
        retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
      });
      grpcWeb = createConnectClient(
        MeshTestService,
        createGrpcWebTransport({ baseUrl: fixture.baseUrl, httpVersion: "1.1" }),
      );
    });

    after(async () => {
      grpc.close();
      await fixture.close();
    });

    it("refuses a user's burst above the limit with RESOURCE_EXHAUSTED and RetryInfo over gRPC and gRPC-Web, while another user at the same moment is unaffected", async () => {
      const [buyer, webBuyer, other] = await Promise.all(
        ["rl-grpc-buyer", "rl-grpc-web-buyer", "rl-grpc-other"].map((name) => customerToken(testId(name))),
      );
      const before = fixture.counters.charge;
      const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
      const [burst, webBurst, alongside] = await Promise.all([
        outcomes(Array.from({ length: 8 }, () => grpc.charge({}, { token: buyer ?? "" }))),
        outcomes(Array.from({ length: 8 }, () => grpcWeb.charge({}, bearer(webBuyer ?? "")))),
        outcomes(Array.from({ length: 5 }, () => grpc.charge({}, { token: other ?? "" }))),
      ]);

      for (const [protocol, { passed, refusals }] of [
        ["gRPC", burst],
        ["gRPC-Web", webBurst],
      ] as const) {
        expect(passed, `${protocol}: the burst of 5 passes`).to.equal(5);
        expect(refusals.map((error) => Code[error.code])).to.deep.equal(Array(3).fill("ResourceExhausted"));
        for (const error of refusals) {
          expect(retryDelayMs(error), `${protocol}: RetryInfo's delay`).to.be.within(1, 60_000);
        }
      }
      expect(alongside, "the other user, at the limit but not over it").to.deep.equal({ passed: 5, refusals: [] });
      expect(fixture.counters.charge - before, "refused calls never reach the upstream").to.equal(15);
    });

    it("answers a refused Connect JSON call HTTP 429 with Retry-After in whole seconds, rounded up from RetryInfo's delay", async () => {
      const token = await customerToken(testId("rl-connect-buyer"));
      const other = await customerToken(testId("rl-connect-other"));
      const calls = [
        ...Array.from({ length: 7 }, () => post(fixture, "Charge", { authorization: `Bearer ${token}` })),
        ...Array.from({ length: 5 }, () => post(fixture, "Charge", { authorization: `Bearer ${other}` })),
      ];
      const answers = await Promise.all(calls);
      const mine = answers.slice(0, 7);
      expect(mine.filter((a) => a.status === 200)).to.have.length(5);
      const refused = mine.filter((a) => a.status !== 200);
      expect(refused).to.have.length(2);
      for (const answer of refused) {
        expect(answer.status).to.equal(429);
        expect(answer.json.code).to.equal("resource_exhausted");
        const delayMs = jsonRetryDelayMs(answer.json);
        expect(delayMs, "RetryInfo's delay").to.be.within(1, 60_000);
        expect(answer.headers.get("retry-after")).to.equal(String(Math.ceil((delayMs ?? 0) / 1000)));
      }
      expect(answers.slice(7).map((a) => a.status)).to.deep.equal([200, 200, 200, 200, 200]);
    });

    it("limits anonymous callers per client address, each address its own bucket", async () => {
      const from = (address: string) => post(fixture, "Echo", { "x-forwarded-for": `198.51.100.1, ${address}` });
      const answers = await Promise.all([
        ...Array.from({ length: 5 }, () => from("203.0.113.10")),
        ...Array.from({ length: 3 }, () => from("203.0.113.11")),
      ]);
      expect(answers.slice(0, 5).map((a) => a.status)).to.have.members([200, 200, 200, 429, 429]);
      expect(
        answers.slice(5).map((a) => a.status),
        "another address",
      ).to.deep.equal([200, 200, 200]);
      const refused = answers.find((a) => a.status === 429);
      expect(refused?.headers.get("retry-after")).to.match(/^[1-9]\d*$/);
    });

    it("counts per address before authentication: a flood of forged tokens is shed before any signature is checked", async () => {
      const { wrongSignature } = await forgedTokens();
      const headers = { "x-forwarded-for": "203.0.113.20", authorization: `Bearer ${wrongSignature}` };
      const codes: unknown[] = [];
      for (let i = 0; i < 6; i++) codes.push((await post(fixture, "Echo", headers)).json.code);
      expect(codes).to.deep.equal([
        "unauthenticated",
        "unauthenticated",
        "unauthenticated",
        "resource_exhausted",
        "resource_exhausted",
        "resource_exhausted",
      ]);
    });

    it("recovers: the call after RetryInfo's delay passes", async () => {
      const token = await organizerToken(testId("rl-recovering-organizer"));
      await grpc.organizerOnly({}, { token });
      const refusal = ConnectError.from(await grpc.organizerOnly({}, { token }).catch((error: unknown) => error));
      expect(refusal.code).to.equal(Code.ResourceExhausted);
      const delayMs = retryDelayMs(refusal) ?? Number.NaN;
      expect(delayMs, "a token every 200 ms").to.be.within(1, 200);
      await sleep(delayMs + 10);
      expect((await grpc.organizerOnly({}, { token })).subject).to.equal(testId("rl-recovering-organizer"));
    });

    it("applies no limit to an exempt subject or address", async () => {
      const token = await customerToken(testId("rl-exempt"));
      expect(await outcomes(Array.from({ length: 8 }, () => grpc.charge({}, { token })))).to.deep.equal({
        passed: 8,
        refusals: [],
      });
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => post(fixture, "Echo", { "x-forwarded-for": "198.51.100.250" })),
      );
      expect(answers.map((a) => a.status)).to.deep.equal([200, 200, 200, 200, 200]);
    });

    it("counts each refusal in marquee_bff_rate_limited_total by limit", async () => {
      const before = await counterValue("marquee_bff_rate_limited_total");
      const token = await customerToken(testId("rl-counted"));
      const { refusals } = await outcomes(Array.from({ length: 7 }, () => grpc.charge({}, { token })));
      expect(refusals).to.have.length(2);
      expect((await counterValue("marquee_bff_rate_limited_total")) - before).to.equal(2);
      expect(await metricsRegistry.getSingleMetricAsString("marquee_bff_rate_limited_total")).to.include(
        'limit="charges"',
      );
    });
  });

  describe("without a proxy", () => {
    it("counts the TCP peer and ignores x-forwarded-for, so a client cannot pick its own bucket", async () => {
      const fixture = await startFixture({ rateLimits: limits(redisUrl) });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 5; i++) {
          statuses.push((await post(fixture, "Echo", { "x-forwarded-for": `203.0.113.${100 + i}` })).status);
        }
        expect(statuses).to.deep.equal([200, 200, 200, 429, 429]);
      } finally {
        await fixture.close();
      }
    });
  });

  describe("when Redis fails", () => {
    it("lets every call through while Redis is down, counted in marquee_bff_rate_limit_failed_open_total, never INTERNAL", async () => {
      const fixture = await startFixture({ rateLimits: limits(`redis://127.0.0.1:${await freePort()}`) });
      const grpc = createClient(MeshTestService, {
        address: fixture.address,
        retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
      });
      try {
        const before = await counterValue("marquee_bff_rate_limit_failed_open_total");
        const token = await customerToken(testId("rl-redis-down"));
        expect(await outcomes(Array.from({ length: 10 }, () => grpc.charge({}, { token })))).to.deep.equal({
          passed: 10,
          refusals: [],
        });
        const answers = await Promise.all(Array.from({ length: 5 }, () => post(fixture, "Echo")));
        expect(answers.map((a) => a.status)).to.deep.equal([200, 200, 200, 200, 200]);
        // Each charge met two checks (per IP, per user), each echo one.
        expect((await counterValue("marquee_bff_rate_limit_failed_open_total")) - before).to.equal(25);
      } finally {
        grpc.close();
        await fixture.close();
      }
    });

    it("lets a call through after the timeout when Redis hangs, and limits again once it answers", async () => {
      const fixture = await startFixture({ rateLimits: limits(redisUrl, { timeoutMs: 100 }) });
      const admin = new Redis(redisUrl);
      try {
        const token = await customerToken(testId("rl-redis-hangs"));
        const charge = () => post(fixture, "Charge", { authorization: `Bearer ${token}` });
        for (let i = 0; i < 5; i++) expect((await charge()).status).to.equal(200);
        expect((await charge()).status, "over the limit").to.equal(429);
        await admin.client("PAUSE", 1500);
        const started = Date.now();
        expect((await charge()).status, "while Redis hangs").to.equal(200);
        expect(Date.now() - started).to.be.below(1000);
        await waitFor("Redis to answer again", async () => (await charge()).status === 429, { timeoutMs: 5000 });
      } finally {
        await admin.client("UNPAUSE").catch(() => undefined);
        admin.disconnect();
        await fixture.close();
      }
    });
  });
});
