import { randomUUID } from "node:crypto";
import { expect } from "chai";
import type { List, PaymentIntent, Refund, Token } from "../src/api.js";
import type { PaymentGateway } from "../src/server.js";
import { defaultSecretKey } from "../src/server.js";
import {
  authorize,
  authorized,
  cards,
  type Failure,
  futureYear,
  get,
  post,
  startTestGateway,
  tokenize,
} from "./support.js";

describe("Idempotency-Key", () => {
  let gateway: PaymentGateway;

  before(async () => {
    gateway = await startTestGateway({ secretKeys: [defaultSecretKey, "sk_test_other_tenant"] });
  });

  afterEach(() => {
    gateway.settings.latencyMs = 0;
  });

  after(() => gateway.close());

  it("replays the stored answer of a repeated authorization, byte for byte, without a second intent", async () => {
    const token = await tokenize(gateway);
    const key = randomUUID();
    const first = await authorize(gateway, token.id, 5000, { idempotencyKey: key });
    const again = await authorize(gateway, token.id, 5000, { idempotencyKey: key });

    expect(first.status).to.equal(200);
    expect(first.headers.get("idempotent-replayed")).to.equal(null);
    expect(again.status).to.equal(200);
    expect(again.headers.get("idempotent-replayed")).to.equal("true");
    expect(again.headers.get("original-request")).to.equal(first.headers.get("request-id"));
    expect(again.text).to.equal(first.text);
    // Without the key, the spent token would be refused: the replay ran nothing.
    const fresh = await authorize(gateway, token.id, 5000);
    expect((fresh.body as unknown as Failure).error.code).to.equal("token_already_used");
  });

  it("never captures twice: a repeated capture replays its success instead of failing on the new state", async () => {
    const intent = await authorized(gateway, 5000);
    const key = randomUUID();
    const path = `/v1/payment_intents/${intent.id}/capture`;
    const first = await post<PaymentIntent>(gateway, path, { amount_to_capture: 4000 }, { idempotencyKey: key });
    const again = await post<PaymentIntent>(gateway, path, { amount_to_capture: 4000 }, { idempotencyKey: key });

    expect(again.status).to.equal(200);
    expect(again.text).to.equal(first.text);
    expect(again.body.amount_received).to.equal(4000);
  });

  it("never refunds twice: a repeated refund makes one refund", async () => {
    const intent = await authorized(gateway, 5000);
    await post(gateway, `/v1/payment_intents/${intent.id}/capture`, {});
    const key = randomUUID();
    const first = await post<Refund>(
      gateway,
      "/v1/refunds",
      { payment_intent: intent.id, amount: 1000 },
      { idempotencyKey: key },
    );
    const again = await post<Refund>(
      gateway,
      "/v1/refunds",
      { payment_intent: intent.id, amount: 1000 },
      { idempotencyKey: key },
    );
    const list = await get<List<Refund>>(gateway, `/v1/refunds?payment_intent=${intent.id}`);

    expect(again.body.id).to.equal(first.body.id);
    expect(list.body.data).to.have.length(1);
  });

  it("replays a decline as the same 402", async () => {
    const token = await tokenize(gateway, cards.genericDecline);
    const key = randomUUID();
    const first = await authorize(gateway, token.id, 5000, { idempotencyKey: key });
    const again = await authorize(gateway, token.id, 5000, { idempotencyKey: key });

    expect(first.status).to.equal(402);
    expect(again.status).to.equal(402);
    expect(again.headers.get("idempotent-replayed")).to.equal("true");
    expect(again.text).to.equal(first.text);
  });

  it("treats bodies with the same parameters in another key order as the same request", async () => {
    const token = await tokenize(gateway);
    const key = randomUUID();
    const first = await post(
      gateway,
      "/v1/payment_intents",
      { amount: 100, currency: "usd", token: token.id, capture_method: "manual" },
      { idempotencyKey: key },
    );
    const again = await post(
      gateway,
      "/v1/payment_intents",
      { capture_method: "manual", token: token.id, currency: "usd", amount: 100 },
      { idempotencyKey: key },
    );

    expect(again.headers.get("idempotent-replayed")).to.equal("true");
    expect(again.text).to.equal(first.text);
  });

  it("refuses the same key with different parameters: 400 idempotency_error, nothing run", async () => {
    const token = await tokenize(gateway);
    const key = randomUUID();
    await authorize(gateway, token.id, 5000, { idempotencyKey: key });
    const other = await authorize(gateway, token.id, 6000, { idempotencyKey: key });

    expect(other.status).to.equal(400);
    expect((other.body as unknown as Failure).error).to.deep.include({
      type: "idempotency_error",
      code: "idempotency_key_reused",
    });
  });

  it("refuses the same key on another endpoint", async () => {
    const intent = await authorized(gateway);
    const key = randomUUID();
    await post(gateway, `/v1/payment_intents/${intent.id}/capture`, {}, { idempotencyKey: key });
    const other = await post<Failure>(gateway, `/v1/payment_intents/${intent.id}/cancel`, {}, { idempotencyKey: key });

    expect(other.status).to.equal(400);
    expect(other.body.error.type).to.equal("idempotency_error");
  });

  it("answers 409 to a request whose key is still in flight, and replays once the first is done", async () => {
    gateway.settings.latencyMs = 400;
    const token = await tokenize(gateway);
    const key = randomUUID();
    const first = authorize(gateway, token.id, 5000, { idempotencyKey: key });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const concurrent = await authorize(gateway, token.id, 5000, { idempotencyKey: key });
    const done = await first;
    const after = await authorize(gateway, token.id, 5000, { idempotencyKey: key });

    expect(concurrent.status).to.equal(409);
    expect((concurrent.body as unknown as Failure).error).to.deep.include({
      type: "idempotency_error",
      code: "idempotency_key_in_use",
    });
    expect(done.status).to.equal(200);
    expect(after.headers.get("idempotent-replayed")).to.equal("true");
    expect(after.body.id).to.equal(done.body.id);
  });

  it("runs many simultaneous retries of one key exactly once", async () => {
    gateway.settings.latencyMs = 200;
    const token = await tokenize(gateway);
    const key = randomUUID();
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => authorize(gateway, token.id, 5000, { idempotencyKey: key })),
    );

    expect(replies.filter((reply) => reply.status === 200)).to.have.length(1);
    expect(replies.filter((reply) => reply.status === 409)).to.have.length(9);
  });

  it("scopes keys per secret key: another key's request with the same Idempotency-Key runs afresh", async () => {
    const key = randomUUID();
    const mine = await authorize(gateway, (await tokenize(gateway)).id, 5000, { idempotencyKey: key });
    const theirs = await post<PaymentIntent>(
      gateway,
      "/v1/payment_intents",
      { amount: 5000, currency: "usd", token: (await tokenize(gateway)).id, capture_method: "manual" },
      { idempotencyKey: key, secretKey: "sk_test_other_tenant" },
    );

    expect(theirs.status).to.equal(200);
    expect(theirs.headers.get("idempotent-replayed")).to.equal(null);
    expect(theirs.body.id).not.to.equal(mine.body.id);
  });

  it("does not keep a parameter error, so the corrected request may reuse the key", async () => {
    const token = await tokenize(gateway);
    const key = randomUUID();
    const bad = await post<Failure>(
      gateway,
      "/v1/payment_intents",
      { amount: -1, currency: "usd", token: token.id },
      { idempotencyKey: key },
    );
    const corrected = await authorize(gateway, token.id, 5000, { idempotencyKey: key });

    expect(bad.status).to.equal(400);
    expect(corrected.status).to.equal(200);
    expect(corrected.body.status).to.equal("requires_capture");
  });

  it("applies to tokenize too: the browser's retry gets the same token", async () => {
    const key = randomUUID();
    const body = { card: { number: cards.success, exp_month: 1, exp_year: futureYear, cvc: "123" } };
    const first = await post<Token>(gateway, "/v1/tokens", body, { secretKey: null, idempotencyKey: key });
    const again = await post<Token>(gateway, "/v1/tokens", body, { secretKey: null, idempotencyKey: key });

    expect(again.body.id).to.equal(first.body.id);
    expect(again.headers.get("idempotent-replayed")).to.equal("true");
  });

  it("forgets a key after its time to live", async () => {
    const short = await startTestGateway({ idempotencyTtlMs: 150 });
    try {
      const key = randomUUID();
      const first = await post<Token>(
        short,
        "/v1/tokens",
        { card: { number: cards.success, exp_month: 1, exp_year: futureYear, cvc: "123" } },
        { secretKey: null, idempotencyKey: key },
      );
      await new Promise((resolve) => setTimeout(resolve, 250));
      const later = await post<Token>(
        short,
        "/v1/tokens",
        { card: { number: cards.success, exp_month: 2, exp_year: futureYear, cvc: "123" } },
        { secretKey: null, idempotencyKey: key },
      );

      expect(later.status).to.equal(200);
      expect(later.body.id).not.to.equal(first.body.id);
    } finally {
      await short.close();
    }
  });
});
