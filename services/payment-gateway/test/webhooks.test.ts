import { createServer } from "node:net";
import { createLogger } from "@marquee/mesh";
import { expect } from "chai";
import type { Charge, GatewayEvent, PaymentIntent } from "../src/api.js";
import type { PaymentGateway } from "../src/server.js";
import {
  parseWebhookEvent,
  signatureHeader,
  signWebhookPayload,
  verifyWebhookSignature,
  WebhookSignatureError,
} from "../src/webhooks.js";
import {
  authorize,
  authorized,
  cards,
  type Delivery,
  post,
  type Receiver,
  startReceiver,
  startTestGateway,
  tokenize,
} from "./support.js";

const secret = "whsec_test_webhooks";

function eventOf(delivery: Delivery): GatewayEvent {
  return parseWebhookEvent(delivery.body, delivery.headers[signatureHeader.toLowerCase()] as string, secret);
}

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("webhooks", () => {
  let gateway: PaymentGateway;
  let receiver: Receiver | undefined;

  before(async () => {
    gateway = await startTestGateway({
      webhookSecret: secret,
      webhookRetryBaseMs: 100,
      webhookMaxAttempts: 4,
      // "webhook given up" is logged as an error, which is what one test provokes.
      log: createLogger("payment-gateway", "silent"),
    });
  });

  afterEach(async () => {
    gateway.settings.webhookUrls = [];
    await receiver?.close();
    receiver = undefined;
  });

  after(() => gateway.close());

  it("sends each lifecycle event, signed so the receiver can verify it with the shared secret", async () => {
    receiver = await startReceiver();
    gateway.settings.webhookUrls = [receiver.url];

    const captured = await authorized(gateway, 5000);
    await receiver.waitFor(1);
    await post(gateway, `/v1/payment_intents/${captured.id}/capture`, {});
    await receiver.waitFor(2);
    await post(gateway, "/v1/refunds", { payment_intent: captured.id, amount: 1500 });
    await receiver.waitFor(3);
    const voided = await authorized(gateway, 700);
    await receiver.waitFor(4);
    await post(gateway, `/v1/payment_intents/${voided.id}/cancel`, {});
    await receiver.waitFor(5);
    const declined = await authorize(gateway, (await tokenize(gateway, cards.insufficientFunds)).id);
    const deliveries = await receiver.waitFor(6);

    const events = deliveries.map(eventOf);
    expect(events.map((event) => event.type)).to.deep.equal([
      "payment_intent.amount_capturable_updated",
      "payment_intent.succeeded",
      "charge.refunded",
      "payment_intent.amount_capturable_updated",
      "payment_intent.canceled",
      "payment_intent.payment_failed",
    ]);
    const objects = events.map((event) => event.data.object);
    expect(objects[0]).to.deep.include({ id: captured.id, status: "requires_capture", amount_capturable: 5000 });
    expect(objects[1]).to.deep.include({ id: captured.id, status: "succeeded", amount_received: 5000 });
    expect(objects[2] as Charge).to.deep.include({
      payment_intent: captured.id,
      amount_refunded: 1500,
      refunded: false,
    });
    expect(objects[4]).to.deep.include({ id: voided.id, status: "canceled" });
    const failed = objects[5] as PaymentIntent;
    expect(declined.status).to.equal(402);
    expect(failed.last_payment_error).to.deep.include({ code: "card_declined", decline_code: "insufficient_funds" });
    expect(new Set(events.map((event) => event.id)).size).to.equal(6);
    for (const event of events) expect(event.id).to.match(/^evt_/);
  });

  it("retries a receiver that fails twice, resending the same signed event with backoff", async () => {
    receiver = await startReceiver((n) => (n <= 2 ? 500 : 200));
    gateway.settings.webhookUrls = [receiver.url];

    await authorized(gateway);
    const deliveries = await receiver.waitFor(3);
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(receiver.deliveries).to.have.length(3);
    expect(new Set(deliveries.map((delivery) => delivery.body)).size).to.equal(1);
    expect(deliveries.map((delivery) => delivery.headers["gateway-delivery-attempt"])).to.deep.equal(["1", "2", "3"]);
    for (const delivery of deliveries) expect(() => eventOf(delivery)).not.to.throw();
    const [first, second, third] = deliveries.map((delivery) => delivery.at) as [number, number, number];
    // Base 100 ms, doubled each attempt (timers may fire a millisecond early).
    expect(second - first).to.be.at.least(95);
    expect(third - second).to.be.at.least(195);
  });

  it("retries a receiver that is down until it comes up", async () => {
    const port = await freePort();
    gateway.settings.webhookUrls = [`http://127.0.0.1:${port}/webhooks`];

    const intent = await authorized(gateway);
    await new Promise((resolve) => setTimeout(resolve, 50));
    receiver = await startReceiver(() => 200, port);
    const [delivery] = await receiver.waitFor(1, 3000);

    expect(Number(delivery?.headers["gateway-delivery-attempt"])).to.be.at.least(2);
    expect(eventOf(delivery as Delivery).data.object).to.deep.include({ id: intent.id });
  });

  it("gives up after the configured number of attempts", async () => {
    receiver = await startReceiver(() => 503);
    gateway.settings.webhookUrls = [receiver.url];

    await authorized(gateway);
    await receiver.waitFor(4, 3000);
    // The fifth attempt would come 800 ms after the fourth.
    await new Promise((resolve) => setTimeout(resolve, 1200));

    expect(receiver.deliveries).to.have.length(4);
  });

  it("delivers to every configured endpoint", async () => {
    receiver = await startReceiver();
    const second = await startReceiver();
    try {
      gateway.settings.webhookUrls = [receiver.url, second.url];
      await authorized(gateway);
      const [a] = await receiver.waitFor(1);
      const [b] = await second.waitFor(1);

      expect(eventOf(a as Delivery).id).to.equal(eventOf(b as Delivery).id);
    } finally {
      await second.close();
    }
  });

  it("takes WEBHOOK_URLS-style endpoints at start-up", async () => {
    receiver = await startReceiver();
    const started = await startTestGateway({ webhookUrls: [receiver.url], webhookSecret: secret });
    try {
      await authorized(started);
      const [delivery] = await receiver.waitFor(1);

      expect(eventOf(delivery as Delivery).type).to.equal("payment_intent.amount_capturable_updated");
    } finally {
      await started.close();
    }
  });
});

describe("verifyWebhookSignature", () => {
  const body = JSON.stringify({ id: "evt_1", object: "event", type: "payment_intent.succeeded" });
  const now = () => Math.floor(Date.now() / 1000);

  function failureOf(check: () => void): string | undefined {
    try {
      check();
    } catch (error) {
      expect(error).to.be.instanceOf(WebhookSignatureError);
      return (error as WebhookSignatureError).reason;
    }
    return undefined;
  }

  it("accepts the body it was signed over, as a string or as bytes", () => {
    const header = signWebhookPayload(body, secret, now());

    expect(header).to.match(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(() => verifyWebhookSignature(body, header, secret, 300)).not.to.throw();
    expect(() => verifyWebhookSignature(Buffer.from(body), header, secret, 300)).not.to.throw();
  });

  it("refuses a tampered body", () => {
    const header = signWebhookPayload(body, secret, now());
    const tampered = body.replace("succeeded", "canceled");

    expect(failureOf(() => verifyWebhookSignature(tampered, header, secret, 300))).to.equal("no_matching_signature");
  });

  it("refuses a signature made with another secret", () => {
    const header = signWebhookPayload(body, "whsec_someone_else", now());

    expect(failureOf(() => verifyWebhookSignature(body, header, secret, 300))).to.equal("no_matching_signature");
  });

  it("refuses a timestamp older than the tolerance, and one from too far ahead", () => {
    const old = signWebhookPayload(body, secret, now() - 301);
    const ahead = signWebhookPayload(body, secret, now() + 301);

    expect(failureOf(() => verifyWebhookSignature(body, old, secret, 300))).to.equal("timestamp_outside_tolerance");
    expect(failureOf(() => verifyWebhookSignature(body, ahead, secret, 300))).to.equal("timestamp_outside_tolerance");
  });

  it("uses the tolerance it is given", () => {
    const header = signWebhookPayload(body, secret, now() - 100);

    expect(failureOf(() => verifyWebhookSignature(body, header, secret, 60))).to.equal("timestamp_outside_tolerance");
    expect(failureOf(() => verifyWebhookSignature(body, header, secret, 300))).to.equal(undefined);
  });

  it("takes the tolerance and the current time as options", () => {
    const signedAt = 1_700_000_000;
    const header = signWebhookPayload(body, secret, signedAt);
    const at = (seconds: number) => new Date(seconds * 1000);

    expect(failureOf(() => verifyWebhookSignature(body, header, secret, { now: at(signedAt + 299) }))).to.equal(
      undefined,
    );
    expect(failureOf(() => verifyWebhookSignature(body, header, secret, { now: at(signedAt + 301) }))).to.equal(
      "timestamp_outside_tolerance",
    );
    expect(
      failureOf(() => verifyWebhookSignature(body, header, secret, { toleranceSeconds: 10, now: at(signedAt + 11) })),
    ).to.equal("timestamp_outside_tolerance");
  });

  it("refuses a timestamp edited to look fresh: the signature covers it", () => {
    const signed = signWebhookPayload(body, secret, now() - 1000);
    const edited = signed.replace(/^t=\d+/, `t=${now()}`);

    expect(failureOf(() => verifyWebhookSignature(body, edited, secret, 300))).to.equal("no_matching_signature");
  });

  it("refuses a missing or malformed header", () => {
    expect(failureOf(() => verifyWebhookSignature(body, undefined, secret, 300))).to.equal("missing_header");
    expect(failureOf(() => verifyWebhookSignature(body, "", secret, 300))).to.equal("missing_header");
    expect(failureOf(() => verifyWebhookSignature(body, "v1=abc", secret, 300))).to.equal("malformed_header");
    expect(failureOf(() => verifyWebhookSignature(body, `t=${now()}`, secret, 300))).to.equal("malformed_header");
  });

  it("accepts a header with several signatures when one matches, as during a secret's rotation", () => {
    const timestamp = now();
    const stale = signWebhookPayload(body, "whsec_old", timestamp).split(",")[1];
    const header = `${signWebhookPayload(body, secret, timestamp)},${stale}`;

    expect(failureOf(() => verifyWebhookSignature(body, header, secret, 300))).to.equal(undefined);
  });
});
