import { randomUUID } from "node:crypto";
import { Code } from "@marquee/mesh";
import { badFields, codeOf, failureOf, preconditions } from "@marquee/mesh/testing";
import { PaymentRefundState, PaymentState } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import { expect } from "chai";
import { authorized, captured, usd } from "../support/fixtures.js";
import { gatewayRefunds } from "../support/gateway.js";
import { usePayment } from "../support/testing.js";

describe("PaymentService.Refund", () => {
  const payment = usePayment();

  it("refunds the whole capture", async () => {
    const taken = await captured(payment);
    const response = await payment.client.refund({
      paymentId: taken.id,
      amount: usd(5000),
      reason: "event cancelled",
      idempotencyKey: `${taken.orderId}:refund:1`,
    });
    expect(response.payment?.state).to.equal(PaymentState.REFUNDED);
    expect(response.payment?.refundedAmount?.amountMinor).to.equal(5000n);
    expect(response.refund?.state).to.equal(PaymentRefundState.SUCCEEDED);
    expect(response.refund?.reason).to.equal("event cancelled");
    expect(response.refund?.providerRefundId).to.match(/^re_/);
    expect(response.refund?.completeTime).to.not.equal(undefined);
    const atGateway = await gatewayRefunds(payment.gateway.url, taken.providerPaymentIntentId);
    expect(atGateway.map((r) => [r.amount, r.status])).to.deep.equal([[5000, "succeeded"]]);
  });

  it("refunds in parts up to the capture, then refuses more with FAILED_PRECONDITION", async () => {
    const taken = await captured(payment);
    const first = await payment.client.refund({
      paymentId: taken.id,
      amount: usd(2000),
      reason: "one ticket",
      idempotencyKey: `${taken.orderId}:refund:1`,
    });
    expect(first.payment?.state).to.equal(PaymentState.PARTIALLY_REFUNDED);
    const over = await failureOf(
      payment.client.refund({
        paymentId: taken.id,
        amount: usd(3001),
        reason: "too much",
        idempotencyKey: `${taken.orderId}:refund:2`,
      }),
    );
    expect(over.code).to.equal(Code.FailedPrecondition);
    expect(preconditions(over)).to.deep.equal([{ type: "REFUND_EXCEEDS_CAPTURE", subject: "amount" }]);
    const rest = await payment.client.refund({
      paymentId: taken.id,
      amount: usd(3000),
      reason: "the rest",
      idempotencyKey: `${taken.orderId}:refund:3`,
    });
    expect(rest.payment?.state).to.equal(PaymentState.REFUNDED);
    expect(rest.payment?.refunds.map((r) => r.amount?.amountMinor)).to.deep.equal([2000n, 3000n]);
    expect(
      await codeOf(
        payment.client.refund({
          paymentId: taken.id,
          amount: usd(1),
          reason: "more",
          idempotencyKey: `${taken.orderId}:refund:4`,
        }),
      ),
    ).to.equal(Code.FailedPrecondition);
    const atGateway = await gatewayRefunds(payment.gateway.url, taken.providerPaymentIntentId);
    expect(atGateway.map((r) => r.amount)).to.deep.equal([2000, 3000]);
  });

  it("never lets racing refunds add up to more than the capture", async () => {
    const taken = await captured(payment);
    const results = await Promise.allSettled(
      [1, 2, 3, 4].map((n) =>
        payment.client.refund({
          paymentId: taken.id,
          amount: usd(2000),
          reason: "race",
          idempotencyKey: `${taken.orderId}:race:${n}`,
        }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).to.have.length(2);
    const atGateway = await gatewayRefunds(payment.gateway.url, taken.providerPaymentIntentId);
    expect(atGateway.reduce((sum, r) => sum + r.amount, 0)).to.equal(4000);
  });

  it("returns the first refund for the same key and request, refunding once at the gateway", async () => {
    const taken = await captured(payment);
    const request = {
      paymentId: taken.id,
      amount: usd(1000),
      reason: "late",
      idempotencyKey: `${taken.orderId}:refund:1`,
    };
    const first = await payment.client.refund(request);
    const again = await payment.client.refund(request);
    expect(again.refund?.id).to.equal(first.refund?.id);
    expect(again.payment?.refundedAmount?.amountMinor).to.equal(1000n);
    expect(await gatewayRefunds(payment.gateway.url, taken.providerPaymentIntentId)).to.have.length(1);
  });

  it("refuses the same key with another amount with IDEMPOTENCY_KEY_REUSED", async () => {
    const taken = await captured(payment);
    const request = {
      paymentId: taken.id,
      amount: usd(1000),
      reason: "late",
      idempotencyKey: `${taken.orderId}:refund:1`,
    };
    await payment.client.refund(request);
    const error = await failureOf(payment.client.refund({ ...request, amount: usd(500) }));
    expect(preconditions(error)).to.deep.equal([{ type: "IDEMPOTENCY_KEY_REUSED", subject: "idempotency_key" }]);
  });

  it("refuses to refund an authorization that was not captured", async () => {
    const made = await authorized(payment);
    expect(
      await codeOf(payment.client.refund({ paymentId: made.id, amount: usd(100), reason: "x", idempotencyKey: "r" })),
    ).to.equal(Code.FailedPrecondition);
  });

  it("answers INVALID_ARGUMENT for a missing reason or amount, or another currency", async () => {
    const taken = await captured(payment);
    const error = await failureOf(payment.client.refund({ paymentId: taken.id, reason: "", idempotencyKey: "r" }));
    expect(badFields(error)).to.have.members(["amount", "reason"]);
    const other = await failureOf(
      payment.client.refund({
        paymentId: taken.id,
        amount: { currencyCode: "EUR", amountMinor: 1n },
        reason: "x",
        idempotencyKey: "r",
      }),
    );
    expect(badFields(other)).to.deep.equal(["amount.currency_code"]);
  });

  it("answers NOT_FOUND for an unknown payment", async () => {
    expect(
      await codeOf(
        payment.client.refund({ paymentId: randomUUID(), amount: usd(1), reason: "x", idempotencyKey: "r" }),
      ),
    ).to.equal(Code.NotFound);
  });
});
