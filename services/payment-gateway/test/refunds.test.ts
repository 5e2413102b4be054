import { expect } from "chai";
import type { List, PaymentIntent, Refund } from "../src/api.js";
import type { PaymentGateway } from "../src/server.js";
import { authorized, type Failure, get, post, startTestGateway } from "./support.js";

describe("POST /v1/refunds", () => {
  let gateway: PaymentGateway;

  before(async () => {
    gateway = await startTestGateway();
  });

  after(() => gateway.close());

  async function captured(amount: number, captureAmount = amount): Promise<PaymentIntent> {
    const intent = await authorized(gateway, amount);
    const reply = await post<PaymentIntent>(gateway, `/v1/payment_intents/${intent.id}/capture`, {
      amount_to_capture: captureAmount,
    });
    return reply.body;
  }

  it("refunds the whole captured amount when no amount is given", async () => {
    const intent = await captured(5000);
    const reply = await post<Refund>(gateway, "/v1/refunds", { payment_intent: intent.id });

    expect(reply.status).to.equal(200);
    expect(reply.body).to.deep.include({
      object: "refund",
      amount: 5000,
      currency: "usd",
      payment_intent: intent.id,
      charge: intent.latest_charge,
      status: "succeeded",
    });
    expect(reply.body.id).to.match(/^re_/);
  });

  it("refunds in parts until the captured amount is used up, then refuses", async () => {
    const intent = await captured(5000);
    const first = await post<Refund>(gateway, "/v1/refunds", { payment_intent: intent.id, amount: 2000 });
    const second = await post<Refund>(gateway, "/v1/refunds", { payment_intent: intent.id, amount: 3000 });
    const third = await post<Failure>(gateway, "/v1/refunds", { payment_intent: intent.id, amount: 1 });
    const list = await get<List<Refund>>(gateway, `/v1/refunds?payment_intent=${intent.id}`);

    expect([first.status, second.status]).to.deep.equal([200, 200]);
    expect(third.status).to.equal(400);
    expect(third.body.error.code).to.equal("charge_already_refunded");
    expect(list.body.data.map((refund) => refund.amount)).to.deep.equal([2000, 3000]);
  });

  it("refuses a refund larger than what is captured and not yet refunded, refunding nothing", async () => {
    const intent = await captured(5000);
    await post(gateway, "/v1/refunds", { payment_intent: intent.id, amount: 4000 });
    const over = await post<Failure>(gateway, "/v1/refunds", { payment_intent: intent.id, amount: 1001 });
    const list = await get<List<Refund>>(gateway, `/v1/refunds?payment_intent=${intent.id}`);
    const rest = await post<Refund>(gateway, "/v1/refunds", { payment_intent: intent.id });

    expect(over.status).to.equal(400);
    expect(over.body.error).to.deep.include({ code: "amount_too_large", param: "amount" });
    expect(list.body.data).to.have.length(1);
    expect(rest.body.amount).to.equal(1000);
  });

  it("counts a partial capture, not the authorization, as what may be refunded", async () => {
    const intent = await captured(5000, 3000);
    const over = await post<Failure>(gateway, "/v1/refunds", { payment_intent: intent.id, amount: 3001 });
    const full = await post<Refund>(gateway, "/v1/refunds", { payment_intent: intent.id });

    expect(over.body.error.code).to.equal("amount_too_large");
    expect(full.body.amount).to.equal(3000);
  });

  it("refuses to refund an uncaptured authorization (it must be voided) and an unknown intent", async () => {
    const intent = await authorized(gateway);
    const uncaptured = await post<Failure>(gateway, "/v1/refunds", { payment_intent: intent.id });
    const unknown = await post<Failure>(gateway, "/v1/refunds", { payment_intent: "pi_unknown" });

    expect(uncaptured.status).to.equal(400);
    expect(uncaptured.body.error).to.deep.include({ code: "payment_intent_unexpected_state", param: "payment_intent" });
    expect(unknown.status).to.equal(400);
    expect(unknown.body.error).to.deep.include({ code: "resource_missing", param: "payment_intent" });
  });

  it("reads a refund by id", async () => {
    const intent = await captured(900);
    const refund = await post<Refund>(gateway, "/v1/refunds", { payment_intent: intent.id, amount: 400 });
    const read = await get<Refund>(gateway, `/v1/refunds/${refund.body.id}`);

    expect(read.body).to.deep.equal(refund.body);
  });
});
