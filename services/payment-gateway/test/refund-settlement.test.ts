import { expect } from "chai";
import type { Charge, GatewayEvent, List, PaymentIntent, Refund } from "../src/api.js";
import type { PaymentGateway } from "../src/server.js";
import { parseWebhookEvent, signatureHeader } from "../src/webhooks.js";
import { authorize, get, post, type Receiver, startReceiver, startTestGateway, tokenize } from "./support.js";

const secret = "whsec_test_refunds";
const refundsFailCard = "4000000000005126";

/** Authorizes and captures `amount` on a fresh token of `number`. */
async function capturedOn(gateway: PaymentGateway, number: string, amount = 5000): Promise<PaymentIntent> {
  const authorized = await authorize(gateway, (await tokenize(gateway, number)).id, amount);
  expect(authorized.status).to.equal(200);
  const captured = await post<PaymentIntent>(gateway, `/v1/payment_intents/${authorized.body.id}/capture`, {});
  expect(captured.status).to.equal(200);
  return captured.body;
}

/** Polls a refund until it leaves `pending`. */
async function settled(gateway: PaymentGateway, id: string): Promise<Refund> {
  for (let i = 0; i < 100; i++) {
    const reply = await get<Refund>(gateway, `/v1/refunds/${id}`);
    if (reply.body.status !== "pending") return reply.body;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`refund ${id} still pending`);
}

describe("refund settlement", () => {
  let receiver: Receiver;

  beforeEach(async () => {
    receiver = await startReceiver();
  });

  afterEach(() => receiver.close());

  it("answers a refund pending for refundSettleMs, then settles it succeeded with a refund.updated event", async () => {
    const gateway = await startTestGateway({ refundSettleMs: 200, webhookSecret: secret, webhookUrls: [receiver.url] });
    try {
      const intent = await capturedOn(gateway, "4242424242424242");
      const reply = await post<Refund>(gateway, "/v1/refunds", { payment_intent: intent.id, amount: 2000 });

      expect(reply.status).to.equal(200);
      expect(reply.body).to.include({ status: "pending", amount: 2000, payment_intent: intent.id });
      expect((await get<Refund>(gateway, `/v1/refunds/${reply.body.id}`)).body.status).to.equal("pending");
      expect((await settled(gateway, reply.body.id)).status).to.equal("succeeded");

      // amount_capturable_updated, succeeded, charge.refunded, refund.updated
      const events = (await receiver.waitFor(4)).map((delivery) =>
        parseWebhookEvent(delivery.body, delivery.headers[signatureHeader.toLowerCase()] as string, secret),
      );
      const updated = events.find((event) => event.type === "refund.updated") as GatewayEvent;
      expect(updated.data.object).to.include({ id: reply.body.id, status: "succeeded" });
      const refunded = events.find((event) => event.type === "charge.refunded") as GatewayEvent;
      expect((refunded.data.object as Charge).amount_refunded).to.equal(2000);
    } finally {
      await gateway.close();
    }
  });

  it("fails the refunds of 4000000000005126 after they were accepted, and makes the amount refundable again", async () => {
    const gateway = await startTestGateway({ webhookSecret: secret, webhookUrls: [receiver.url] });
    try {
      const intent = await capturedOn(gateway, refundsFailCard, 3000);
      const first = await post<Refund>(gateway, "/v1/refunds", { payment_intent: intent.id });

      expect(first.status).to.equal(200);
      expect(first.body).to.include({ status: "pending", amount: 3000 });
      const failed = await settled(gateway, first.body.id);
      expect(failed).to.include({ status: "failed", failure_reason: "expired_or_canceled_card" });

      // A failed refund returned nothing, so the whole captured amount may be refunded again.
      const second = await post<Refund>(gateway, "/v1/refunds", { payment_intent: intent.id });
      expect(second.status).to.equal(200);
      expect(second.body.amount).to.equal(3000);

      const list = await get<List<Refund>>(gateway, `/v1/refunds?payment_intent=${intent.id}`);
      expect(list.body.data.map((refund) => refund.id)).to.deep.equal([first.body.id, second.body.id]);
    } finally {
      await gateway.close();
    }
  });
});
