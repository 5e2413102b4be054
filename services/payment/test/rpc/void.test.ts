import { randomUUID } from "node:crypto";
import { Code } from "@marquee/mesh";
import { codeOf } from "@marquee/mesh/testing";
import { PaymentState } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import { expect } from "chai";
import { authorized, authorizeRequest, captured } from "../support/fixtures.js";
import { cards, gatewayIntent } from "../support/gateway.js";
import { usePayment } from "../support/testing.js";

describe("PaymentService.Void", () => {
  const payment = usePayment();

  it("cancels an authorization at the gateway", async () => {
    const made = await authorized(payment);
    const { payment: voided } = await payment.client.void({ paymentId: made.id });
    expect(voided?.state).to.equal(PaymentState.VOIDED);
    expect(voided?.voidTime).to.not.equal(undefined);
    expect((await gatewayIntent(payment.gateway.url, made.providerPaymentIntentId)).status).to.equal("canceled");
  });

  it("returns a voided payment unchanged when voided again", async () => {
    const made = await authorized(payment);
    const first = await payment.client.void({ paymentId: made.id });
    const again = await payment.client.void({ paymentId: made.id });
    expect(again.payment?.state).to.equal(PaymentState.VOIDED);
    expect(again.payment?.voidTime).to.deep.equal(first.payment?.voidTime);
  });

  it("returns a declined payment unchanged", async () => {
    const request = await authorizeRequest(payment, cards.genericDecline);
    await codeOf(payment.client.authorize(request));
    const { payment: declined } = await payment.client.getPayment({ orderId: request.orderId });
    const { payment: after } = await payment.client.void({ paymentId: declined?.id ?? "" });
    expect(after?.state).to.equal(PaymentState.DECLINED);
  });

  it("refuses a captured payment with FAILED_PRECONDITION", async () => {
    const taken = await captured(payment);
    expect(await codeOf(payment.client.void({ paymentId: taken.id }))).to.equal(Code.FailedPrecondition);
  });

  it("answers NOT_FOUND for an unknown payment", async () => {
    expect(await codeOf(payment.client.void({ paymentId: randomUUID() }))).to.equal(Code.NotFound);
  });
});
