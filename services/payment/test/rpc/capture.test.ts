import { randomUUID } from "node:crypto";
import { Code } from "@marquee/mesh";
import { badFields, codeOf, failureOf } from "@marquee/mesh/testing";
import { PaymentState } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import { expect } from "chai";
import { authorized, authorizeRequest, usd } from "../support/fixtures.js";
import { cards, gatewayIntent } from "../support/gateway.js";
import { usePayment } from "../support/testing.js";

describe("PaymentService.Capture", () => {
  const payment = usePayment();

  it("takes the whole authorized amount when no amount is given", async () => {
    const made = await authorized(payment);
    const { payment: taken } = await payment.client.capture({
      paymentId: made.id,
      idempotencyKey: `${made.orderId}:capture`,
    });
    expect(taken?.state).to.equal(PaymentState.CAPTURED);
    expect(taken?.capturedAmount?.amountMinor).to.equal(5000n);
    expect(taken?.captureTime).to.not.equal(undefined);
    expect(taken?.authorizationExpireTime).to.equal(undefined);
    const intent = await gatewayIntent(payment.gateway.url, made.providerPaymentIntentId);
    expect(intent.status).to.equal("succeeded");
    expect(intent.amount_received).to.equal(5000);
  });

  it("takes less than authorized, releasing the rest", async () => {
    const made = await authorized(payment);
    const { payment: taken } = await payment.client.capture({
      paymentId: made.id,
      amount: usd(3000),
      idempotencyKey: `${made.orderId}:capture`,
    });
    expect(taken?.capturedAmount?.amountMinor).to.equal(3000n);
    expect((await gatewayIntent(payment.gateway.url, made.providerPaymentIntentId)).amount_received).to.equal(3000);
  });

  it("returns the capture again for the same key and request", async () => {
    const made = await authorized(payment);
    const request = { paymentId: made.id, idempotencyKey: `${made.orderId}:capture` };
    const first = await payment.client.capture(request);
    const again = await payment.client.capture(request);
    expect(again.payment?.state).to.equal(PaymentState.CAPTURED);
    expect(again.payment?.captureTime).to.deep.equal(first.payment?.captureTime);
  });

  it("refuses a second capture under another key with FAILED_PRECONDITION", async () => {
    const made = await authorized(payment);
    await payment.client.capture({ paymentId: made.id, idempotencyKey: `${made.orderId}:capture` });
    expect(
      await codeOf(payment.client.capture({ paymentId: made.id, idempotencyKey: `${made.orderId}:capture-2` })),
    ).to.equal(Code.FailedPrecondition);
  });

  it("refuses an amount above the authorization or in another currency with INVALID_ARGUMENT", async () => {
    const made = await authorized(payment);
    const over = await failureOf(
      payment.client.capture({ paymentId: made.id, amount: usd(5001), idempotencyKey: `${made.orderId}:capture` }),
    );
    expect(badFields(over)).to.deep.equal(["amount.amount_minor"]);
    const other = await failureOf(
      payment.client.capture({
        paymentId: made.id,
        amount: { currencyCode: "EUR", amountMinor: 100n },
        idempotencyKey: `${made.orderId}:capture`,
      }),
    );
    expect(badFields(other)).to.deep.equal(["amount.currency_code"]);
  });

  it("refuses to capture a declined payment with FAILED_PRECONDITION", async () => {
    const request = await authorizeRequest(payment, cards.genericDecline);
    await codeOf(payment.client.authorize(request));
    const { payment: declined } = await payment.client.getPayment({ orderId: request.orderId });
    expect(await codeOf(payment.client.capture({ paymentId: declined?.id ?? "", idempotencyKey: "c" }))).to.equal(
      Code.FailedPrecondition,
    );
  });

  it("answers NOT_FOUND for an unknown payment", async () => {
    expect(await codeOf(payment.client.capture({ paymentId: randomUUID(), idempotencyKey: "c" }))).to.equal(
      Code.NotFound,
    );
  });
});
