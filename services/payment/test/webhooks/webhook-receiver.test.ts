import { Code } from "@marquee/mesh";
import { failureOf, waitFor } from "@marquee/mesh/testing";
import type { GatewayEvent, PaymentIntent } from "@marquee/payment-gateway/api";
import { defaultWebhookSecret } from "@marquee/payment-gateway/server";
import { signWebhookPayload } from "@marquee/payment-gateway/webhooks";
import { PaymentRefundState, PaymentState } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import { expect } from "chai";
import { WebhookEventEntity } from "../../src/entities/index.js";
import { authorized, authorizeRequest, captured, usd } from "../support/fixtures.js";
import { cards, gatewayIntent } from "../support/gateway.js";
import { type TestPayment, usePayment } from "../support/testing.js";

/** Posts a body to the service's webhook endpoint with the given signature header (none when undefined). */
async function deliver(payment: TestPayment, body: string, signature: string | undefined) {
  const response = await fetch(payment.webhookUrl ?? "", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(signature === undefined ? {} : { "gateway-signature": signature }),
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as { result?: string; error?: string } };
}

/** A `payment_intent.canceled` event for an intent the gateway holds, as the gateway would send it. */
async function canceledEvent(payment: TestPayment, intentId: string, eventId: string): Promise<string> {
  const intent: PaymentIntent = {
    ...(await gatewayIntent(payment.gateway.url, intentId)),
    status: "canceled",
    amount_capturable: 0,
    capture_before: null,
  };
  const event: GatewayEvent = {
    id: eventId,
    object: "event",
    type: "payment_intent.canceled",
    created: Math.floor(Date.now() / 1000),
    data: { object: intent },
    livemode: false,
  };
  return JSON.stringify(event);
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe("webhook endpoint", () => {
  const payment = usePayment({
    webhooks: true,
    settings: { GATEWAY_TIMEOUT_MS: "150", GATEWAY_MAX_ATTEMPTS: "1", GATEWAY_BREAKER_FAILURES: "100" },
  });

  afterEach(() => {
    payment.gateway.settings.latencyMs = 0;
  });

  it("settles a PENDING authorization from the gateway's event, with no retry of Authorize", async () => {
    payment.gateway.settings.latencyMs = 400;
    const request = await authorizeRequest(payment);
    expect((await failureOf(payment.client.authorize(request))).code).to.equal(Code.DeadlineExceeded);
    const settled = await waitFor("the webhook to authorize the payment", async () => {
      const { payment: now } = await payment.client.getPayment({ orderId: request.orderId });
      return now?.state === PaymentState.AUTHORIZED && now;
    });
    expect(settled.cardLast4).to.equal("4242");
    expect(settled.providerPaymentIntentId).to.match(/^pi_/);
  });

  it("cancels at the gateway an authorization that arrives after its payment was voided", async () => {
    payment.gateway.settings.latencyMs = 400;
    const request = await authorizeRequest(payment);
    await failureOf(payment.client.authorize(request));
    // The first attempt is still at work at the gateway (its latency was drawn when it arrived).
    payment.gateway.settings.latencyMs = 0;
    const { payment: pending } = await payment.client.getPayment({ orderId: request.orderId });
    const { payment: voided } = await payment.client.void({ paymentId: pending?.id ?? "" });
    expect(voided?.state).to.equal(PaymentState.VOIDED);
    const intentId = await waitFor("the late intent to be recorded", async () => {
      const { payment: now } = await payment.client.getPayment({ paymentId: pending?.id ?? "" });
      return now?.providerPaymentIntentId || undefined;
    });
    await waitFor("the gateway to cancel the late intent", async () => {
      return (await gatewayIntent(payment.gateway.url, intentId)).status === "canceled";
    });
    const { payment: after } = await payment.client.getPayment({ paymentId: pending?.id ?? "" });
    expect(after?.state).to.equal(PaymentState.VOIDED);
  });

  it("refuses with 400 a delivery whose signature is missing, wrong or too old, changing nothing", async () => {
    const made = await authorized(payment);
    const body = await canceledEvent(payment, made.providerPaymentIntentId, "evt_forged_1");
    expect((await deliver(payment, body, undefined)).status).to.equal(400);
    expect((await deliver(payment, body, signWebhookPayload(body, "whsec_wrong", nowSeconds()))).status).to.equal(400);
    expect((await deliver(payment, body, "t=abc,v1=zz")).status).to.equal(400);
    const old = signWebhookPayload(body, defaultWebhookSecret, nowSeconds() - 3600);
    expect((await deliver(payment, body, old)).status).to.equal(400);
    const tampered = body.replace('"canceled"', '"succeeded"');
    const forTampered = signWebhookPayload(body, defaultWebhookSecret, nowSeconds());
    expect((await deliver(payment, tampered, forTampered)).status).to.equal(400);
    expect((await payment.client.getPayment({ paymentId: made.id })).payment?.state).to.equal(PaymentState.AUTHORIZED);
  });

  it("applies a verified event once, however often it is delivered", async () => {
    const made = await authorized(payment);
    const eventId = `evt_dedupe_${made.id}`;
    const body = await canceledEvent(payment, made.providerPaymentIntentId, eventId);
    const first = await deliver(payment, body, signWebhookPayload(body, defaultWebhookSecret, nowSeconds()));
    expect(first).to.deep.equal({ status: 200, body: { received: true, result: "applied" } });
    const again = await deliver(payment, body, signWebhookPayload(body, defaultWebhookSecret, nowSeconds()));
    expect(again).to.deep.equal({ status: 200, body: { received: true, result: "duplicate" } });
    expect((await payment.client.getPayment({ paymentId: made.id })).payment?.state).to.equal(PaymentState.VOIDED);
    expect(await payment.db().count(WebhookEventEntity, { eventId })).to.equal(1);
  });

  it("answers 404 elsewhere and 405 for other methods", async () => {
    const base = new URL(payment.webhookUrl ?? "");
    expect((await fetch(new URL("/other", base), { method: "POST" })).status).to.equal(404);
    expect((await fetch(base)).status).to.equal(405);
  });
});

describe("webhook endpoint with refunds the gateway settles later", () => {
  const payment = usePayment({ webhooks: true, gateway: { refundSettleMs: 200 } });

  it("settles a PENDING refund as SUCCEEDED from refund.updated", async () => {
    const taken = await captured(payment);
    const { refund } = await payment.client.refund({
      paymentId: taken.id,
      amount: usd(1000),
      reason: "one seat",
      idempotencyKey: `${taken.orderId}:refund:1`,
    });
    expect(refund?.state).to.equal(PaymentRefundState.PENDING);
    expect(refund?.providerRefundId).to.match(/^re_/);
    const settled = await waitFor("the refund to succeed", async () => {
      const { payment: now } = await payment.client.getPayment({ paymentId: taken.id });
      return now?.refunds[0]?.state === PaymentRefundState.SUCCEEDED && now;
    });
    expect(settled.refundedAmount?.amountMinor).to.equal(1000n);
    expect(settled.refunds[0]?.completeTime).to.not.equal(undefined);
  });

  it("gives a FAILED refund's amount back, so it can be refunded again", async () => {
    const request = await authorizeRequest(payment, cards.refundsFail);
    const { payment: made } = await payment.client.authorize(request);
    const paymentId = made?.id ?? "";
    await payment.client.capture({ paymentId, idempotencyKey: `${request.orderId}:capture` });
    const { payment: during } = await payment.client.refund({
      paymentId,
      amount: usd(5000),
      reason: "all",
      idempotencyKey: `${request.orderId}:refund:1`,
    });
    expect(during?.state).to.equal(PaymentState.REFUNDED);
    const failed = await waitFor("the refund to fail", async () => {
      const { payment: now } = await payment.client.getPayment({ paymentId });
      return now?.refunds[0]?.state === PaymentRefundState.FAILED && now;
    });
    expect(failed.state).to.equal(PaymentState.CAPTURED);
    expect(failed.refundedAmount?.amountMinor).to.equal(0n);
    expect(failed.refunds[0]?.failureMessage).to.not.equal("");
    const { refund: again } = await payment.client.refund({
      paymentId,
      amount: usd(5000),
      reason: "all, again",
      idempotencyKey: `${request.orderId}:refund:2`,
    });
    expect(again?.state).to.equal(PaymentRefundState.PENDING);
  });
});

describe("webhook endpoint with authorizations that lapse", () => {
  const payment = usePayment({ webhooks: true, gateway: { authorizationTtlMs: 300 } });

  it("voids a payment whose authorization lapsed, and refuses to capture it", async () => {
    const made = await authorized(payment);
    const voided = await waitFor("the lapse to void the payment", async () => {
      const { payment: now } = await payment.client.getPayment({ paymentId: made.id });
      return now?.state === PaymentState.VOIDED && now;
    });
    expect(voided.authorizationExpireTime).to.equal(undefined);
    const error = await failureOf(
      payment.client.capture({ paymentId: made.id, idempotencyKey: `${made.orderId}:capture` }),
    );
    expect(error.code).to.equal(Code.FailedPrecondition);
  });
});
