import { randomUUID } from "node:crypto";
import { Code } from "@marquee/mesh";
import { badFields, codeOf, failureOf } from "@marquee/mesh/testing";
import { expect } from "chai";
import { authorized } from "../support/fixtures.js";
import { usePayment } from "../support/testing.js";

describe("PaymentService.GetPayment", () => {
  const payment = usePayment();

  it("returns a payment by its id and by its order's id", async () => {
    const made = await authorized(payment);
    const byId = await payment.client.getPayment({ paymentId: made.id });
    const byOrder = await payment.client.getPayment({ orderId: made.orderId });
    expect(byId.payment?.id).to.equal(made.id);
    expect(byOrder.payment?.id).to.equal(made.id);
    expect(byOrder.payment?.providerPaymentIntentId).to.equal(made.providerPaymentIntentId);
  });

  it("answers INVALID_ARGUMENT unless exactly one of payment_id and order_id is set", async () => {
    expect(badFields(await failureOf(payment.client.getPayment({})))).to.deep.equal(["payment_id"]);
    const both = await failureOf(payment.client.getPayment({ paymentId: randomUUID(), orderId: randomUUID() }));
    expect(both.code).to.equal(Code.InvalidArgument);
    expect(badFields(await failureOf(payment.client.getPayment({ orderId: "nope" })))).to.deep.equal(["order_id"]);
  });

  it("answers NOT_FOUND when nothing matches", async () => {
    expect(await codeOf(payment.client.getPayment({ paymentId: randomUUID() }))).to.equal(Code.NotFound);
    expect(await codeOf(payment.client.getPayment({ orderId: randomUUID() }))).to.equal(Code.NotFound);
  });
});
