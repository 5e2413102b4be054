import { expect } from "chai";
import type { PaymentIntent } from "../src/api.js";
import type { PaymentGateway } from "../src/server.js";
import { authorize, authorized, cards, type Failure, get, post, startTestGateway, tokenize } from "./support.js";

describe("payment intents", () => {
  let gateway: PaymentGateway;

  before(async () => {
    gateway = await startTestGateway();
  });

  after(() => gateway.close());

  describe("authentication", () => {
    it("refuses a request without a secret key, and one with an unknown key", async () => {
      const none = await get<Failure>(gateway, "/v1/payment_intents/pi_x", { secretKey: null });
      const unknown = await get<Failure>(gateway, "/v1/payment_intents/pi_x", { secretKey: "sk_test_nope" });

      expect(none.status).to.equal(401);
      expect(none.body.error.code).to.equal("missing_api_key");
      expect(unknown.status).to.equal(401);
      expect(unknown.body.error.code).to.equal("invalid_api_key");
    });
  });

  describe("POST /v1/payment_intents with each test card", () => {
    it("authorizes 4242424242424242: requires_capture with the whole amount capturable", async () => {
      const token = await tokenize(gateway, cards.success);
      const reply = await authorize(gateway, token.id, 5000);

      expect(reply.status).to.equal(200);
      expect(reply.body).to.deep.include({
        object: "payment_intent",
        amount: 5000,
        amount_capturable: 5000,
        amount_received: 0,
        currency: "usd",
        status: "requires_capture",
        capture_method: "manual",
        metadata: { order_id: "ord_1" },
        last_payment_error: null,
      });
      expect(reply.body.id).to.match(/^pi_/);
      expect(reply.body.latest_charge).to.match(/^ch_/);
      expect(reply.body.card).to.deep.include({ brand: "visa", last4: "4242" });
      expect(reply.body.capture_before).to.be.greaterThan(Math.floor(Date.now() / 1000));
    });

    for (const [name, number, declineCode, message] of [
      ["generic decline", cards.genericDecline, "generic_decline", "Your card was declined."],
      ["insufficient funds", cards.insufficientFunds, "insufficient_funds", "Your card has insufficient funds."],
    ] as const) {
      it(`declines ${number} (${name}) with 402 card_declined/${declineCode}, leaving the intent requires_payment_method`, async () => {
        const token = await tokenize(gateway, number);
        const reply = await authorize(gateway, token.id, 5000);
        const failure = reply.body as unknown as Failure;

        expect(reply.status).to.equal(402);
        expect(failure.error).to.deep.include({
          type: "card_error",
          code: "card_declined",
          decline_code: declineCode,
          message,
        });
        const intent = failure.error.payment_intent as PaymentIntent;
        expect(intent.status).to.equal("requires_payment_method");
        expect(intent.last_payment_error).to.deep.include({ code: "card_declined", decline_code: declineCode });
        const read = await get<PaymentIntent>(gateway, `/v1/payment_intents/${intent.id}`);
        expect(read.body.status).to.equal("requires_payment_method");
        expect(read.body.amount_capturable).to.equal(0);
      });
    }

    it("spends a declined card's token, so the buyer must tokenize another card", async () => {
      const token = await tokenize(gateway, cards.genericDecline);
      await authorize(gateway, token.id, 5000);
      const again = await authorize(gateway, token.id, 5000);

      expect((again.body as unknown as Failure).error.code).to.equal("token_already_used");
    });

    it("fails 4000000000000119 with a retryable 402 processing_error whose retry with the same token succeeds", async () => {
      const token = await tokenize(gateway, cards.processingError);
      const first = await authorize(gateway, token.id, 5000);
      const failure = first.body as unknown as Failure;

      expect(first.status).to.equal(402);
      expect(failure.error).to.deep.include({ type: "card_error", code: "processing_error" });
      expect(failure.error.decline_code).to.equal(undefined);
      const intent = failure.error.payment_intent as PaymentIntent;
      expect(intent.status).to.equal("requires_payment_method");

      const retry = await post<PaymentIntent>(gateway, `/v1/payment_intents/${intent.id}/confirm`, { token: token.id });
      expect(retry.status).to.equal(200);
      expect(retry.body.id).to.equal(intent.id);
      expect(retry.body.status).to.equal("requires_capture");
      expect(retry.body.last_payment_error).to.equal(null);
    });

    it("lets a declined intent be confirmed again with another card's token", async () => {
      const declined = await authorize(gateway, (await tokenize(gateway, cards.insufficientFunds)).id, 5000);
      const intent = (declined.body as unknown as Failure).error.payment_intent as PaymentIntent;
      const retry = await post<PaymentIntent>(gateway, `/v1/payment_intents/${intent.id}/confirm`, {
        token: (await tokenize(gateway)).id,
      });

      expect(retry.status).to.equal(200);
      expect(retry.body.status).to.equal("requires_capture");
    });

    it("refuses a bad amount, an unknown currency, an unknown parameter and an unknown token", async () => {
      const token = (await tokenize(gateway)).id;
      const body = { amount: 5000, currency: "usd", token, capture_method: "manual" };
      const amount = await post<Failure>(gateway, "/v1/payment_intents", { ...body, amount: 12.5 });
      const currency = await post<Failure>(gateway, "/v1/payment_intents", { ...body, currency: "xyz" });
      const unknown = await post<Failure>(gateway, "/v1/payment_intents", { ...body, amont: 1 });
      const noToken = await post<Failure>(gateway, "/v1/payment_intents", { ...body, token: "tok_nope" });

      expect(amount.body.error).to.deep.include({ code: "parameter_invalid_integer", param: "amount" });
      expect(currency.body.error).to.deep.include({ code: "invalid_currency", param: "currency" });
      expect(unknown.body.error).to.deep.include({ code: "parameter_unknown", param: "amont" });
      expect(noToken.body.error).to.deep.include({ code: "resource_missing", param: "token" });
      for (const reply of [amount, currency, unknown, noToken]) expect(reply.status).to.equal(400);
    });
  });

  describe("capture", () => {
    it("captures the whole authorization by default", async () => {
      const intent = await authorized(gateway, 5000);
      const reply = await post<PaymentIntent>(gateway, `/v1/payment_intents/${intent.id}/capture`, {});

      expect(reply.status).to.equal(200);
      expect(reply.body).to.deep.include({ status: "succeeded", amount_received: 5000, amount_capturable: 0 });
    });

    it("captures part of the authorization and releases the rest", async () => {
      const intent = await authorized(gateway, 5000);
      const reply = await post<PaymentIntent>(gateway, `/v1/payment_intents/${intent.id}/capture`, {
        amount_to_capture: 3000,
      });

      expect(reply.body).to.deep.include({
        status: "succeeded",
        amount: 5000,
        amount_received: 3000,
        amount_capturable: 0,
      });
    });

    it("refuses to capture more than was authorized, changing nothing", async () => {
      const intent = await authorized(gateway, 5000);
      const reply = await post<Failure>(gateway, `/v1/payment_intents/${intent.id}/capture`, {
        amount_to_capture: 5001,
      });
      const read = await get<PaymentIntent>(gateway, `/v1/payment_intents/${intent.id}`);

      expect(reply.status).to.equal(400);
      expect(reply.body.error).to.deep.include({ code: "amount_too_large", param: "amount_to_capture" });
      expect(read.body.status).to.equal("requires_capture");
    });

    it("refuses a second capture with payment_intent_unexpected_state", async () => {
      const intent = await authorized(gateway);
      await post(gateway, `/v1/payment_intents/${intent.id}/capture`, {});
      const again = await post<Failure>(gateway, `/v1/payment_intents/${intent.id}/capture`, {});

      expect(again.status).to.equal(400);
      expect(again.body.error.code).to.equal("payment_intent_unexpected_state");
      expect((again.body.error.payment_intent as PaymentIntent).status).to.equal("succeeded");
    });

    it("answers 404 resource_missing for an unknown intent", async () => {
      const reply = await post<Failure>(gateway, "/v1/payment_intents/pi_unknown/capture", {});

      expect(reply.status).to.equal(404);
      expect(reply.body.error.code).to.equal("resource_missing");
    });

    it("cancels an authorization that lapsed before capture", async () => {
      const short = await startTestGateway({ authorizationTtlMs: 100 });
      try {
        const intent = await authorized(short);
        await new Promise((resolve) => setTimeout(resolve, 200));
        const reply = await post<Failure>(short, `/v1/payment_intents/${intent.id}/capture`, {});
        const read = await get<PaymentIntent>(short, `/v1/payment_intents/${intent.id}`);

        expect(reply.status).to.equal(400);
        expect(reply.body.error.code).to.equal("charge_expired_for_capture");
        expect(read.body).to.deep.include({ status: "canceled", cancellation_reason: "automatic" });
      } finally {
        await short.close();
      }
    });
  });

  describe("cancel (void)", () => {
    it("voids an uncaptured authorization", async () => {
      const intent = await authorized(gateway);
      const reply = await post<PaymentIntent>(gateway, `/v1/payment_intents/${intent.id}/cancel`, {
        cancellation_reason: "abandoned",
      });

      expect(reply.status).to.equal(200);
      expect(reply.body).to.deep.include({
        status: "canceled",
        amount_capturable: 0,
        cancellation_reason: "abandoned",
      });
      expect(reply.body.canceled_at).to.be.a("number");
    });

    it("refuses to void a captured intent (refund it instead) and to capture a voided one", async () => {
      const captured = await authorized(gateway);
      await post(gateway, `/v1/payment_intents/${captured.id}/capture`, {});
      const voided = await authorized(gateway);
      await post(gateway, `/v1/payment_intents/${voided.id}/cancel`, {});

      const cancelCaptured = await post<Failure>(gateway, `/v1/payment_intents/${captured.id}/cancel`, {});
      const captureVoided = await post<Failure>(gateway, `/v1/payment_intents/${voided.id}/capture`, {});
      const cancelAgain = await post<Failure>(gateway, `/v1/payment_intents/${voided.id}/cancel`, {});

      for (const reply of [cancelCaptured, captureVoided, cancelAgain]) {
        expect(reply.status).to.equal(400);
        expect(reply.body.error.code).to.equal("payment_intent_unexpected_state");
      }
    });
  });

  describe("GET /v1/payment_intents/:id", () => {
    it("reads an intent as its last change left it", async () => {
      const intent = await authorized(gateway, 700);
      await post(gateway, `/v1/payment_intents/${intent.id}/capture`, { amount_to_capture: 500 });
      const reply = await get<PaymentIntent>(gateway, `/v1/payment_intents/${intent.id}`);

      expect(reply.status).to.equal(200);
      expect(reply.body).to.deep.include({ id: intent.id, status: "succeeded", amount_received: 500 });
    });
  });
});
