import { Code } from "@marquee/mesh";
import { badFields, codeOf, customerToken, failureOf, preconditions } from "@marquee/mesh/testing";
import { PaymentService, PaymentState } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import { expect } from "chai";
import { authorizeRequest, errorInfoOf, usd } from "../support/fixtures.js";
import { cards, gatewayIntent, tokenize } from "../support/gateway.js";
import { plainClient, usePayment } from "../support/testing.js";

describe("PaymentService.Authorize", () => {
  const payment = usePayment();

  it("authorizes the amount on the card and keeps only its brand and last four digits", async () => {
    const request = await authorizeRequest(payment);
    const { payment: made } = await payment.client.authorize(request);
    expect(made?.state).to.equal(PaymentState.AUTHORIZED);
    expect(made?.orderId).to.equal(request.orderId);
    expect(made?.amount?.amountMinor).to.equal(5000n);
    expect(made?.capturedAmount?.amountMinor).to.equal(0n);
    expect(made?.provider).to.equal("simulator");
    expect(made?.cardBrand).to.equal("visa");
    expect(made?.cardLast4).to.equal("4242");
    expect(made?.authorizeTime).to.not.equal(undefined);
    expect(made?.authorizationExpireTime).to.not.equal(undefined);
    const intent = await gatewayIntent(payment.gateway.url, made?.providerPaymentIntentId ?? "");
    expect(intent.status).to.equal("requires_capture");
    expect(intent.amount).to.equal(5000);
    expect(intent.currency).to.equal("usd");
    expect(intent.metadata).to.deep.equal({ payment_id: made?.id, order_id: request.orderId });
  });

  it("answers a declined card with FAILED_PRECONDITION, PAYMENT_DECLINED and the decline code, and keeps the payment DECLINED", async () => {
    const request = await authorizeRequest(payment, cards.genericDecline);
    const error = await failureOf(payment.client.authorize(request));
    expect(error.code).to.equal(Code.FailedPrecondition);
    const info = errorInfoOf(error);
    expect(info?.reason).to.equal("PAYMENT_DECLINED");
    expect(info?.domain).to.equal("payment.marquee");
    expect(info?.metadata.decline_code).to.equal("generic_decline");
    const { payment: kept } = await payment.client.getPayment({ orderId: request.orderId });
    expect(kept?.id).to.equal(info?.metadata.payment_id);
    expect(kept?.state).to.equal(PaymentState.DECLINED);
    expect(kept?.declineCode).to.equal("generic_decline");
    expect(kept?.failureMessage).to.not.equal("");
  });

  it("says insufficient_funds for the insufficient-funds card", async () => {
    const error = await failureOf(payment.client.authorize(await authorizeRequest(payment, cards.insufficientFunds)));
    expect(error.code).to.equal(Code.FailedPrecondition);
    expect(errorInfoOf(error)?.metadata.decline_code).to.equal("insufficient_funds");
  });

  it("answers a replayed decline with the same decline", async () => {
    const request = await authorizeRequest(payment, cards.genericDecline);
    const first = await failureOf(payment.client.authorize(request));
    const again = await failureOf(payment.client.authorize(request));
    expect(again.code).to.equal(Code.FailedPrecondition);
    expect(errorInfoOf(again)?.metadata).to.deep.equal(errorInfoOf(first)?.metadata);
  });

  it("retries a processing error once with the same token and authorizes", async () => {
    const { payment: made } = await payment.client.authorize(await authorizeRequest(payment, cards.processingError));
    expect(made?.state).to.equal(PaymentState.AUTHORIZED);
    const intent = await gatewayIntent(payment.gateway.url, made?.providerPaymentIntentId ?? "");
    expect(intent.status).to.equal("requires_capture");
  });

  it("returns the first payment for the same key and request, with one intent at the gateway", async () => {
    const request = await authorizeRequest(payment);
    const first = await payment.client.authorize(request);
    const again = await payment.client.authorize(request);
    expect(again.payment?.id).to.equal(first.payment?.id);
    expect(again.payment?.providerPaymentIntentId).to.equal(first.payment?.providerPaymentIntentId);
  });

  it("refuses the same key with another request with FAILED_PRECONDITION IDEMPOTENCY_KEY_REUSED", async () => {
    const request = await authorizeRequest(payment);
    await payment.client.authorize(request);
    const error = await failureOf(payment.client.authorize({ ...request, amount: usd(6000) }));
    expect(error.code).to.equal(Code.FailedPrecondition);
    expect(preconditions(error)).to.deep.equal([{ type: "IDEMPOTENCY_KEY_REUSED", subject: "idempotency_key" }]);
  });

  it("answers ALREADY_EXISTS with the payment's id when the order has a payment under another key", async () => {
    const request = await authorizeRequest(payment);
    const { payment: first } = await payment.client.authorize(request);
    const token = await tokenize(payment.gateway.url);
    const error = await failureOf(
      payment.client.authorize({ ...request, paymentMethodToken: token, idempotencyKey: `${request.orderId}:again` }),
    );
    expect(error.code).to.equal(Code.AlreadyExists);
    expect(errorInfoOf(error)?.metadata.payment_id).to.equal(first?.id);
  });

  it("keeps keys per calling service: another service's key of the same name is its own", async () => {
    const request = await authorizeRequest(payment);
    await payment.client.authorize(request);
    const other = await payment.service.client(PaymentService, { ...plainClient, serviceName: "refunds-desk" });
    const another = await authorizeRequest(payment);
    const { payment: made } = await other.authorize({ ...another, idempotencyKey: request.idempotencyKey });
    expect(made?.orderId).to.equal(another.orderId);
  });

  it("answers INVALID_ARGUMENT on payment_method_token for a spent token, and leaves the order free to pay", async () => {
    const request = await authorizeRequest(payment);
    await payment.client.authorize(request);
    const second = await authorizeRequest(payment);
    const error = await failureOf(
      payment.client.authorize({ ...second, paymentMethodToken: request.paymentMethodToken }),
    );
    expect(error.code).to.equal(Code.InvalidArgument);
    expect(badFields(error)).to.deep.equal(["payment_method_token"]);
    expect(await codeOf(payment.client.getPayment({ orderId: second.orderId }))).to.equal(Code.NotFound);
    const { payment: made } = await payment.client.authorize({ ...second, idempotencyKey: `${second.orderId}:retry` });
    expect(made?.state).to.equal(PaymentState.AUTHORIZED);
  });

  it("answers INVALID_ARGUMENT naming every bad field", async () => {
    const error = await failureOf(
      payment.client.authorize({
        orderId: "42",
        amount: { currencyCode: "usd", amountMinor: 0n },
        paymentMethodToken: "",
        idempotencyKey: "",
      }),
    );
    expect(error.code).to.equal(Code.InvalidArgument);
    expect(badFields(error)).to.have.members([
      "order_id",
      "amount.currency_code",
      "amount.amount_minor",
      "payment_method_token",
      "idempotency_key",
    ]);
  });

  it("answers INVALID_ARGUMENT for a currency the gateway does not take", async () => {
    const request = await authorizeRequest(payment);
    const error = await failureOf(
      payment.client.authorize({ ...request, amount: { currencyCode: "XYZ", amountMinor: 100n } }),
    );
    expect(error.code).to.equal(Code.InvalidArgument);
    expect(badFields(error)).to.deep.equal(["amount.currency_code"]);
  });

  it("refuses callers without a service token", async () => {
    const request = await authorizeRequest(payment);
    expect(await codeOf(payment.client.authorize(request, { token: await customerToken() }))).to.equal(
      Code.PermissionDenied,
    );
  });
});
