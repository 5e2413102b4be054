import { getEventListeners } from "node:events";
import { Code } from "@connectrpc/connect";
import { trace } from "@opentelemetry/api";
import { expect } from "chai";
import { CircuitState } from "cockatiel";
// cockatiel's default signal for calls given none, shared by every policy of the process.
import { neverAbortedSignal } from "cockatiel/dist/common/abort.js";
import { createServiceTokenMinter } from "../src/auth/service-token.js";
import { createClient } from "../src/index.js";
import { codeOf, failureOf } from "../src/testing/errors.js";
import { customerToken, startTestServer, type TestServer, testKeys, testUserIds } from "../src/testing/index.js";
import { useTracing } from "../src/testing/tracing.js";
import { MeshTestService } from "./gen/marquee/meshtest/v1/mesh_test_pb.js";
import { type Counters, meshTestService } from "./support/mesh-test-service.js";

const fastRetry = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5 };

describe("createClient", () => {
  let counters: Counters;
  let server: TestServer;

  beforeEach(async () => {
    counters = { charge: 0, validated: 0, echo: 0 };
    server = await startTestServer([meshTestService(counters)]);
  });
  afterEach(() => server.close());

  describe("retries", () => {
    it("retries an idempotent RPC on UNAVAILABLE, up to maxAttempts", async () => {
      const client = createClient(MeshTestService, { address: server.address, retry: fastRetry });
      expect(await codeOf(client.echo({ failCode: Code.Unavailable }))).to.equal(Code.Unavailable);
      expect(counters.echo).to.equal(3);
      client.close();
    });

    it("never retries an RPC that is not idempotent", async () => {
      const client = createClient(MeshTestService, { address: server.address, retry: fastRetry });
      expect(await codeOf(client.charge({ failCode: Code.Unavailable }, { token: await customerToken() }))).to.equal(
        Code.Unavailable,
      );
      expect(counters.charge).to.equal(1);
      client.close();
    });

    it("does not retry codes other than UNAVAILABLE", async () => {
      const client = createClient(MeshTestService, { address: server.address, retry: fastRetry });
      for (const code of [Code.Internal, Code.DeadlineExceeded, Code.ResourceExhausted, Code.Aborted]) {
        expect(await codeOf(client.echo({ failCode: code }))).to.equal(code);
      }
      expect(counters.echo).to.equal(4);
      client.close();
    });

    it("retries a connection refused until the upstream comes up", async () => {
      const port = server.port;
      await server.close();
      const client = createClient(MeshTestService, {
        address: `127.0.0.1:${port}`,
        retry: { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 200 },
      });
      const pending = client.echo({ message: "eventually" }, { timeoutMs: 5000 });
      const { startServer } = await import("../src/server.js");
      const { createTokenVerifier } = await import("../src/auth/verify-token.js");
      const { createLogger } = await import("../src/logger.js");
      const revived = await startServer(
        {
          services: [meshTestService(counters)],
          verifier: createTokenVerifier({ jwksUrl: (await testKeys()).jwksPath }),
          log: createLogger("revived", "silent"),
        },
        port,
        "127.0.0.1",
      );
      expect((await pending).message).to.equal("eventually");
      client.close();
      await revived.shutdown(0);
    });
  });

  describe("circuit breaker", () => {
    it("opens after consecutive failures, fails fast, half-opens and closes again", async () => {
      const client = createClient(MeshTestService, {
        address: server.address,
        retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
        breaker: { consecutiveFailures: 3, halfOpenAfterMs: 200 },
      });
      for (let i = 0; i < 3; i++) await codeOf(client.echo({ failCode: Code.Unavailable }));
      expect(client.breakerState()).to.equal(CircuitState.Open);

      const before = counters.echo;
      expect(await codeOf(client.echo({ message: "fast fail" }))).to.equal(Code.Unavailable);
      expect(counters.echo, "an open breaker does not call the upstream").to.equal(before);

      await new Promise((resolve) => setTimeout(resolve, 250));
      expect((await client.echo({ message: "probe" })).message).to.equal("probe");
      expect(client.breakerState()).to.equal(CircuitState.Closed);
      client.close();
    });

    it("is not tripped by errors that blame the request", async () => {
      const client = createClient(MeshTestService, {
        address: server.address,
        breaker: { consecutiveFailures: 2, halfOpenAfterMs: 10_000 },
      });
      for (let i = 0; i < 5; i++) await codeOf(client.echo({ failCode: Code.NotFound }));
      expect(client.breakerState()).to.equal(CircuitState.Closed);
      client.close();
    });
  });

  describe("memory", () => {
    it("leaves no abort listener behind on the caller's signal, or on cockatiel's never-aborted one (issue #27)", async () => {
      const client = createClient(MeshTestService, { address: server.address });
      try {
        // A long-lived signal (a background task's shutdown signal) must not collect one listener per call.
        const shutdown = new AbortController();
        for (let i = 0; i < 5; i++) await client.echo({ message: "signalled" }, { signal: shutdown.signal });
        for await (const _ of client.count({ count: 2 }, { signal: shutdown.signal })) {
          // drained
        }
        expect(getEventListeners(shutdown.signal, "abort")).to.have.length(0);
        // Without a caller signal cockatiel hands every call the same module-level signal: a listener left
        // there kept each finished call reachable for good (readiness probes, background calls).
        const before = getEventListeners(neverAbortedSignal, "abort").length;
        for (let i = 0; i < 5; i++) await client.echo({ message: "unsignalled" });
        await codeOf(client.charge({ failCode: Code.NotFound }));
        expect(getEventListeners(neverAbortedSignal, "abort")).to.have.length(before);
      } finally {
        client.close();
      }
    });

    it("still cancels a call when the caller's signal aborts", async () => {
      const client = createClient(MeshTestService, { address: server.address });
      try {
        const caller = new AbortController();
        const call = client.echo({ delayMs: 5_000 }, { signal: caller.signal });
        setTimeout(() => caller.abort(), 50);
        expect(await codeOf(call)).to.equal(Code.Canceled);
      } finally {
        client.close();
      }
    });
  });

  describe("deadlines and identity across hops", () => {
    let hops: TestServer[];
    beforeEach(async () => {
      const { signingKey } = await testKeys();
      const minter = createServiceTokenMinter({ service: "hop", signingKey });
      hops = await Promise.all([1, 2, 3].map(() => startTestServer([meshTestService(counters, () => minter.token())])));
    });
    afterEach(() => Promise.all(hops.map((hop) => hop.close())));

    it("propagates the first caller's deadline to the third hop", async () => {
      const [first, second, third] = hops.map((hop) => hop.address);
      const client = createClient(MeshTestService, { address: first as string, timeoutMs: 1500 });
      const { lastHop } = await client.forward({ addresses: [second as string, third as string] });
      // Each hop's own client defaults to 5 s: only propagation keeps the third hop under the first 1.5 s.
      expect(Number(lastHop?.remainingMs)).to.be.greaterThan(0).and.at.most(1500);
      client.close();
    });

    it("forwards the caller's token, so the last hop sees the same user", async () => {
      const [first, second, third] = hops.map((hop) => hop.address);
      const client = createClient(MeshTestService, { address: first as string });
      const { lastHop } = await client.forward(
        { addresses: [second as string, third as string] },
        { token: await customerToken() },
      );
      expect(lastHop?.subject).to.equal(testUserIds.customer);
      client.close();
    });

    it("uses the service token when no user is calling", async () => {
      const [first, second] = hops.map((hop) => hop.address);
      const client = createClient(MeshTestService, { address: first as string });
      const { lastHop } = await client.forward({ addresses: [second as string] });
      expect(lastHop?.subject).to.equal("svc:hop");
      client.close();
    });
  });

  describe("headers", () => {
    it("sends the call's extra headers to the upstream", async () => {
      counters.headers = [];
      const client = createClient(MeshTestService, { address: server.address });
      await client.echo({}, { headers: { "marquee-client-ip": "192.0.2.7" } });
      expect(counters.headers[0]?.get("marquee-client-ip")).to.equal("192.0.2.7");
      client.close();
    });

    it("refuses extra headers that have call options of their own, sending nothing", async () => {
      const client = createClient(MeshTestService, { address: server.address });
      for (const name of ["authorization", "idempotency-key"]) {
        const error = await failureOf(client.echo({}, { headers: { [name]: "Bearer forged" } }));
        expect(error.rawMessage).to.include("own call option");
      }
      expect(counters.echo).to.equal(0);
      client.close();
    });
  });

  describe("tracing", () => {
    const spans = useTracing();

    it("continues one trace from the client through every hop and into a stream", async () => {
      const hopB = await startTestServer([meshTestService(counters)]);
      const client = createClient(MeshTestService, { address: server.address });
      const tracer = trace.getTracer("test");
      const { rootTraceId, lastHop, streamed } = await tracer.startActiveSpan("checkout", async (root) => {
        const forwarded = await client.forward({ addresses: [hopB.address] });
        const numbers = [];
        for await (const item of client.count({ count: 2, intervalMs: 1 })) numbers.push(item);
        root.end();
        return { rootTraceId: root.spanContext().traceId, lastHop: forwarded.lastHop, streamed: numbers };
      });
      expect(lastHop?.traceId).to.equal(rootTraceId);
      expect(streamed.map((s) => s.traceId)).to.deep.equal([rootTraceId, rootTraceId]);
      const names = spans
        .getFinishedSpans()
        .filter((s) => s.spanContext().traceId === rootTraceId)
        .map((s) => s.name);
      expect(names).to.include.members([
        "checkout",
        "marquee.meshtest.v1.MeshTestService/Forward",
        "marquee.meshtest.v1.MeshTestService/Echo",
        "marquee.meshtest.v1.MeshTestService/Count",
      ]);
      client.close();
      await hopB.close();
    });
  });
});
