import { setTimeout as sleep } from "node:timers/promises";
import { Code } from "@marquee/mesh";
import { failureOf, freePort, useStarted } from "@marquee/mesh/testing";
import { PaymentState } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import { expect } from "chai";
import { gatewayKeyOf } from "../../src/domain/payment-rules.js";
import { gatewayBreakerState, gatewayRetries } from "../../src/gateway/metrics.js";
import { authorizeRequest, usd } from "../support/fixtures.js";
import { cards, gatewayIntent, gatewayRefunds } from "../support/gateway.js";
import { startPayment, type TestPayment } from "../support/testing.js";
import { startWebhookRecorder, type WebhookRecorder } from "../support/webhook-recorder.js";

/** A payment service behind a recording proxy, with a recorder of every event of the simulator. */
function useFaultyPayment(settings: Record<string, string>): { payment: TestPayment; recorder: WebhookRecorder } {
  let recorder: WebhookRecorder | undefined;
  const payment = useStarted("payment", async () => {
    recorder = await startWebhookRecorder();
    const started = await startPayment({ proxy: true, settings, gateway: { webhookUrls: [recorder.url] } });
    return {
      ...started,
      close: async () => {
        await started.close();
        await recorder?.close();
      },
    };
  });
  return {
    payment,
    get recorder() {
      if (recorder === undefined) throw new Error("the recorder starts in before()");
      return recorder;
    },
  };
}

async function retriesOf(operation: string): Promise<number> {
  const metric = await gatewayRetries.get();
  return metric.values.filter((v) => v.labels.operation === operation).reduce((sum, v) => sum + v.value, 0);
}

describe("gateway faults", () => {
  describe("a gateway that hangs", () => {
    const faulty = useFaultyPayment({
      GATEWAY_TIMEOUT_MS: "200",
      GATEWAY_MAX_ATTEMPTS: "3",
      GATEWAY_RETRY_INITIAL_DELAY_MS: "20",
      GATEWAY_RETRY_MAX_DELAY_MS: "50",
      GATEWAY_BREAKER_FAILURES: "3",
      GATEWAY_BREAKER_HALF_OPEN_MS: "1500",
    });

    it("times out each attempt, retries with the same key, opens the breaker, fails fast, and charges nothing twice", async () => {
      const { payment, recorder } = faulty;
      const proxy = payment.proxy;
      if (proxy === undefined) throw new Error("no proxy");
      const retriesBefore = await retriesOf("authorize");

      const hung = await authorizeRequest(payment, cards.hang);
      const startedAt = Date.now();
      const timedOut = await failureOf(payment.client.authorize(hung));
      expect(timedOut.code).to.equal(Code.DeadlineExceeded);
      expect(Date.now() - startedAt).to.be.at.least(3 * 200);
      const { payment: pending } = await payment.client.getPayment({ orderId: hung.orderId });
      expect(pending?.state).to.equal(PaymentState.PENDING);
      const attempts = proxy.requestsTo("POST", "/v1/payment_intents");
      expect(attempts).to.have.length(3);
      expect(new Set(attempts.map((a) => a.idempotencyKey))).to.deep.equal(
        new Set([gatewayKeyOf("authorize", pending?.id ?? "")]),
      );
      expect(attempts.every((a) => a.status === "aborted")).to.equal(true);
      expect((await retriesOf("authorize")) - retriesBefore).to.equal(2);
      expect(payment.service.deps.psp.breakerState()).to.equal("open");
      expect((await gatewayBreakerState.get()).values.find((v) => v.labels.provider === "simulator")?.value).to.equal(
        2,
      );

      // Open: another order's authorization fails at once, without reaching the gateway.
      const next = await authorizeRequest(payment, cards.success);
      const fastStart = Date.now();
      const fast = await failureOf(payment.client.authorize(next));
      expect(fast.code).to.equal(Code.Unavailable);
      expect(Date.now() - fastStart).to.be.below(150);
      expect(proxy.requestsTo("POST", "/v1/payment_intents")).to.have.length(3);
      expect((await payment.client.getPayment({ orderId: next.orderId })).payment?.state).to.equal(
        PaymentState.PENDING,
      );

      // Half-open after the pause: the same request resumes the PENDING payment and authorizes it once.
      await sleep(1600);
      const { payment: made } = await payment.client.authorize(next);
      expect(made?.state).to.equal(PaymentState.AUTHORIZED);
      expect(payment.service.deps.psp.breakerState()).to.equal("closed");
      const intent = await gatewayIntent(payment.gateway.url, made?.providerPaymentIntentId ?? "");
      expect(intent.status).to.equal("requires_capture");
      await sleep(200);
      expect(recorder.authorizationsOf(next.orderId)).to.have.length(1);

      // The hung payment is voided: it never reached the gateway, so nothing was ever reserved.
      const { payment: voided } = await payment.client.void({ paymentId: pending?.id ?? "" });
      expect(voided?.state).to.equal(PaymentState.VOIDED);
      expect(recorder.authorizationsOf(hung.orderId)).to.have.length(0);
    });
  });

  describe("a gateway slower than the timeout", () => {
    const faulty = useFaultyPayment({
      GATEWAY_TIMEOUT_MS: "150",
      GATEWAY_MAX_ATTEMPTS: "3",
      GATEWAY_RETRY_INITIAL_DELAY_MS: "30",
      GATEWAY_RETRY_MAX_DELAY_MS: "60",
      GATEWAY_BREAKER_FAILURES: "10",
    });

    it("leaves the payment PENDING while the first attempt is still at work, then resumes it to one authorization", async () => {
      const { payment, recorder } = faulty;
      const proxy = payment.proxy;
      if (proxy === undefined) throw new Error("no proxy");
      payment.gateway.settings.latencyMs = 600;
      const request = await authorizeRequest(payment);
      const error = await failureOf(payment.client.authorize(request));
      expect([Code.Unavailable, Code.DeadlineExceeded]).to.include(error.code);
      const { payment: pending } = await payment.client.getPayment({ orderId: request.orderId });
      expect(pending?.state).to.equal(PaymentState.PENDING);
      // The first attempt was cut off but the gateway finished it; the retries found it in use (409).
      const attempts = proxy.requestsTo("POST", "/v1/payment_intents");
      expect(attempts.map((a) => a.status)).to.deep.equal(["aborted", 409, 409]);
      expect(new Set(attempts.map((a) => a.idempotencyKey)).size).to.equal(1);

      await sleep(700);
      payment.gateway.settings.latencyMs = 0;
      const { payment: made } = await payment.client.authorize(request);
      expect(made?.state).to.equal(PaymentState.AUTHORIZED);
      expect(made?.id).to.equal(pending?.id);
      const last = proxy.requestsTo("POST", "/v1/payment_intents").at(-1);
      expect(last?.status).to.equal(200);
      expect(last?.isReplay).to.equal(true);
      await sleep(200);
      expect(recorder.authorizationsOf(request.orderId)).to.have.length(1);
      expect(recorder.authorizationsOf(request.orderId)[0]?.data.object).to.include({
        id: made?.providerPaymentIntentId,
      });
    });
  });

  describe("a gateway answering 500s", () => {
    const faulty = useFaultyPayment({
      GATEWAY_TIMEOUT_MS: "2000",
      GATEWAY_MAX_ATTEMPTS: "12",
      GATEWAY_RETRY_INITIAL_DELAY_MS: "20",
      GATEWAY_RETRY_MAX_DELAY_MS: "80",
      GATEWAY_BREAKER_FAILURES: "50",
    });

    afterEach(() => {
      faulty.payment.gateway.settings.errorRate = 0;
    });

    it("is healed by retries with the same key, and authorizes once", async () => {
      const { payment, recorder } = faulty;
      const proxy = payment.proxy;
      if (proxy === undefined) throw new Error("no proxy");
      const retriesBefore = await retriesOf("authorize");
      const request = await authorizeRequest(payment);
      payment.gateway.settings.errorRate = 1;
      const call = payment.client.authorize(request);
      await sleep(150);
      payment.gateway.settings.errorRate = 0;
      const { payment: made } = await call;
      expect(made?.state).to.equal(PaymentState.AUTHORIZED);
      const attempts = proxy.requestsTo("POST", "/v1/payment_intents");
      expect(attempts.length).to.be.at.least(2);
      expect(attempts.slice(0, -1).every((a) => a.status === 500)).to.equal(true);
      expect(attempts.at(-1)?.status).to.equal(200);
      expect(new Set(attempts.map((a) => a.idempotencyKey)).size).to.equal(1);
      expect((await retriesOf("authorize")) - retriesBefore).to.equal(attempts.length - 1);
      await sleep(200);
      expect(recorder.authorizationsOf(request.orderId)).to.have.length(1);
    });

    it("captures and refunds through a 50% error rate, moving the money once", async () => {
      const { payment } = faulty;
      const request = await authorizeRequest(payment);
      payment.gateway.settings.errorRate = 0.5;
      const { payment: made } = await payment.client.authorize(request);
      const paymentId = made?.id ?? "";
      await payment.client.capture({ paymentId, amount: usd(4000), idempotencyKey: `${request.orderId}:capture` });
      const refunded = await payment.client.refund({
        paymentId,
        amount: usd(1500),
        reason: "one seat",
        idempotencyKey: `${request.orderId}:refund:1`,
      });
      payment.gateway.settings.errorRate = 0;
      expect(refunded.payment?.state).to.equal(PaymentState.PARTIALLY_REFUNDED);
      const intentId = made?.providerPaymentIntentId ?? "";
      expect((await gatewayIntent(payment.gateway.url, intentId)).amount_received).to.equal(4000);
      expect((await gatewayRefunds(payment.gateway.url, intentId)).map((r) => r.amount)).to.deep.equal([1500]);
    });
  });

  describe("a gateway that is down", () => {
    let payment: TestPayment;
    before(async () => {
      payment = await startPayment({
        settings: {
          GATEWAY_URL: `http://127.0.0.1:${await freePort()}`,
          GATEWAY_MAX_ATTEMPTS: "2",
          GATEWAY_RETRY_INITIAL_DELAY_MS: "10",
        },
      });
    });
    after(async () => {
      await payment.close();
    });

    it("answers UNAVAILABLE and keeps the payment PENDING", async () => {
      const request = await authorizeRequest(payment);
      const error = await failureOf(payment.client.authorize(request));
      expect(error.code).to.equal(Code.Unavailable);
      expect((await payment.client.getPayment({ orderId: request.orderId })).payment?.state).to.equal(
        PaymentState.PENDING,
      );
    });
  });
});
