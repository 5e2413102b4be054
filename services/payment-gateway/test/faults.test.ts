import { randomUUID } from "node:crypto";
import { expect } from "chai";
import type { PaymentIntent, SimulatorSettings } from "../src/api.js";
import type { PaymentGateway } from "../src/server.js";
import { authorize, authorized, cards, type Failure, get, post, startTestGateway, tokenize } from "./support.js";

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const startedAt = performance.now();
  const result = await work();
  return { result, ms: performance.now() - startedAt };
}

describe("injected faults", () => {
  let gateway: PaymentGateway;

  before(async () => {
    gateway = await startTestGateway();
  });

  afterEach(() => {
    Object.assign(gateway.settings, { latencyMs: 0, latencyJitterMs: 0, errorRate: 0 });
  });

  after(() => gateway.close());

  describe("latency", () => {
    it("delays every API request by latencyMs", async () => {
      const intent = await authorized(gateway);
      gateway.settings.latencyMs = 300;
      const { result, ms } = await timed(() => get(gateway, `/v1/payment_intents/${intent.id}`));

      expect(result.status).to.equal(200);
      expect(ms).to.be.at.least(295);
    });

    it("adds up to latencyJitterMs more, at random", async () => {
      const intent = await authorized(gateway);
      Object.assign(gateway.settings, { latencyMs: 100, latencyJitterMs: 200 });
      const durations = await Promise.all(
        Array.from({ length: 12 }, () => timed(() => get(gateway, `/v1/payment_intents/${intent.id}`))),
      );
      const ms = durations.map((duration) => duration.ms);

      expect(Math.min(...ms)).to.be.at.least(95);
      expect(Math.max(...ms)).to.be.below(600);
      // Twelve uniform draws over 200 ms all landing within 20 ms of each other is vanishingly unlikely.
      expect(Math.max(...ms) - Math.min(...ms)).to.be.above(20);
    });

    it("does not delay /healthz", async () => {
      gateway.settings.latencyMs = 1000;
      const { result, ms } = await timed(() => get(gateway, "/healthz", { secretKey: null }));

      expect(result.status).to.equal(200);
      expect(result.body).to.deep.equal({ status: "ok" });
      expect(ms).to.be.below(500);
    });
  });

  describe("error rate", () => {
    it("answers 500 api_error at rate 1 without spending the token or creating an intent", async () => {
      const token = await tokenize(gateway);
      gateway.settings.errorRate = 1;
      const failed = await authorize(gateway, token.id);
      gateway.settings.errorRate = 0;
      const retried = await authorize(gateway, token.id);

      expect(failed.status).to.equal(500);
      expect((failed.body as unknown as Failure).error).to.deep.include({ type: "api_error", code: "api_error" });
      expect(retried.status).to.equal(200);
      expect(retried.body.status).to.equal("requires_capture");
    });

    it("leaves a capture undone, and lets the retry with the same idempotency key run", async () => {
      const intent = await authorized(gateway);
      const key = randomUUID();
      gateway.settings.errorRate = 1;
      const failed = await post(gateway, `/v1/payment_intents/${intent.id}/capture`, {}, { idempotencyKey: key });
      gateway.settings.errorRate = 0;
      const read = await get<PaymentIntent>(gateway, `/v1/payment_intents/${intent.id}`);
      const retried = await post<PaymentIntent>(
        gateway,
        `/v1/payment_intents/${intent.id}/capture`,
        {},
        {
          idempotencyKey: key,
        },
      );

      expect(failed.status).to.equal(500);
      expect(read.body.status).to.equal("requires_capture");
      expect(retried.status).to.equal(200);
      expect(retried.headers.get("idempotent-replayed")).to.equal(null);
      expect(retried.body.status).to.equal("succeeded");
    });

    it("fails about the configured share of requests", async () => {
      const intent = await authorized(gateway);
      gateway.settings.errorRate = 0.5;
      const replies = await Promise.all(
        Array.from({ length: 200 }, () => get(gateway, `/v1/payment_intents/${intent.id}`)),
      );
      const failures = replies.filter((reply) => reply.status === 500).length;

      // Binomial(200, 0.5): 100 ± 7 (one standard deviation); 60..140 is more than five of them.
      expect(failures).to.be.within(60, 140);
      expect(replies.filter((reply) => reply.status === 200)).to.have.length(200 - failures);
    });
  });

  describe("the hanging card 4000000000007775", () => {
    it("never answers before the client gives up", async () => {
      const token = await tokenize(gateway, cards.hang);
      const startedAt = performance.now();
      let failure: unknown;
      try {
        await authorize(gateway, token.id, 5000, { signal: AbortSignal.timeout(300) });
      } catch (error) {
        failure = error;
      }

      expect((failure as Error | undefined)?.name).to.equal("TimeoutError");
      expect(performance.now() - startedAt).to.be.within(290, 2000);
    });

    it("releases the idempotency key once the client gave up, so the retry is not refused as in flight", async () => {
      const token = await tokenize(gateway, cards.hang);
      const key = randomUUID();
      await authorize(gateway, token.id, 5000, { idempotencyKey: key, signal: AbortSignal.timeout(200) }).catch(
        () => undefined,
      );
      // The server learns of the abort when the socket closes, a moment after the client's timeout.
      await new Promise((resolve) => setTimeout(resolve, 100));
      let retry: unknown;
      try {
        retry = await authorize(gateway, token.id, 5000, { idempotencyKey: key, signal: AbortSignal.timeout(300) });
      } catch (error) {
        retry = error;
      }

      // A 409 would have answered at once; the retry hung again, so it ran afresh.
      expect((retry as Error).name).to.equal("TimeoutError");
    });

    it("answers 504 after hangMs with nothing created and the token unspent", async () => {
      const short = await startTestGateway({ hangMs: 200 });
      try {
        const token = await tokenize(short, cards.hang);
        const { result, ms } = await timed(() => authorize(short, token.id));
        const again = await authorize(short, token.id);

        expect(ms).to.be.at.least(195);
        expect(result.status).to.equal(504);
        expect((result.body as unknown as Failure).error).to.deep.include({ type: "api_error", code: "timeout" });
        expect(again.status).to.equal(504);
      } finally {
        await short.close();
      }
    });

    it("is ended by close(), which does not wait for the hang", async () => {
      const short = await startTestGateway();
      const token = await tokenize(short, cards.hang);
      const pending = authorize(short, token.id).catch((error: Error) => error);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const { ms } = await timed(() => short.close());

      expect(ms).to.be.below(1000);
      expect(await pending).to.be.instanceOf(Error);
    });
  });

  describe("/v1/_simulator/settings", () => {
    it("changes the faults at run time, behind the secret key, and refuses bad values all at once", async () => {
      const changed = await post<SimulatorSettings>(gateway, "/v1/_simulator/settings", {
        latency_ms: 5,
        error_rate: 0,
      });
      const bad = await post<Failure>(gateway, "/v1/_simulator/settings", { latency_ms: 7, error_rate: 2 });
      const anonymous = await get(gateway, "/v1/_simulator/settings", { secretKey: null });

      expect(changed.body).to.deep.include({ latency_ms: 5, error_rate: 0 });
      expect(gateway.settings.latencyMs).to.equal(5);
      expect(bad.status).to.equal(400);
      expect(bad.body.error.param).to.equal("error_rate");
      expect(gateway.settings.latencyMs).to.equal(5);
      expect(anonymous.status).to.equal(401);
    });
  });
});
