import { randomBytes } from "node:crypto";
import { Code } from "@marquee/mesh";
import { codeOf, freePort } from "@marquee/mesh/testing";
import { PaymentState } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import { expect } from "chai";
import { resealStaleValues } from "../../src/store/reseal.js";
import { authorizeRequest, captured, usd } from "../support/fixtures.js";
import { restartPayment, usePayment } from "../support/testing.js";

const key1 = randomBytes(32).toString("base64");
const key2 = randomBytes(32).toString("base64");

/** Every sealed column of the payment table as stored, and the whole row as text. */
async function storedRow(db: ReturnType<ReturnType<typeof usePayment>["db"]>, id: string) {
  const [row] = await db.execute<
    {
      provider_intent_id: string | null;
      card_brand: string | null;
      card_last4: string | null;
      payment_token: string | null;
      text: string;
    }[]
  >(
    `select p.provider_intent_id, p.card_brand, p.card_last4, p.payment_token, row_to_json(p)::text as text from payment p where id = ?`,
    [id],
  );
  if (row === undefined) throw new Error(`no payment ${id}`);
  return row;
}

describe("encryption at rest and key rotation", () => {
  const payment = usePayment({ settings: { PAYMENT_ENCRYPTION_KEYS: `k1:${key1}`, PAYMENT_ENCRYPTION_KEY_ID: "k1" } });

  it("stores the intent id and the card sealed under the current key, never in clear", async () => {
    const taken = await captured(payment);
    const row = await storedRow(payment.db(), taken.id);
    for (const sealed of [row.provider_intent_id, row.card_brand, row.card_last4]) expect(sealed).to.match(/^k1:/);
    expect(row.payment_token).to.equal(null);
    expect(row.text).to.not.include(taken.providerPaymentIntentId);
    expect(row.text).to.not.include("4242");
    expect(row.text).to.not.include("visa");
  });

  it("keeps the token sealed while an authorization may still be resumed", async () => {
    const down = await restartPayment(payment, {
      PAYMENT_ENCRYPTION_KEYS: `k1:${key1}`,
      PAYMENT_ENCRYPTION_KEY_ID: "k1",
      GATEWAY_URL: `http://127.0.0.1:${await freePort()}`,
      GATEWAY_MAX_ATTEMPTS: "1",
    });
    try {
      const request = await authorizeRequest(payment);
      expect(await codeOf(down.client.authorize(request))).to.equal(Code.Unavailable);
      const { payment: pending } = await down.client.getPayment({ orderId: request.orderId });
      expect(pending?.state).to.equal(PaymentState.PENDING);
      const row = await storedRow(payment.db(), pending?.id ?? "");
      expect(row.payment_token).to.match(/^k1:/);
      expect(row.text).to.not.include(request.paymentMethodToken);
      // The same request resumes it once the gateway is back, with the token it kept.
      const { payment: made } = await payment.client.authorize(request);
      expect(made?.state).to.equal(PaymentState.AUTHORIZED);
      expect((await storedRow(payment.db(), made?.id ?? "")).payment_token).to.equal(null);
    } finally {
      await down.close();
    }
  });

  it("reads rows of the old key after a new key is made current, and moves them over with reseal", async () => {
    const old = await captured(payment);
    const rotated = await restartPayment(payment, {
      PAYMENT_ENCRYPTION_KEYS: `k1:${key1},k2:${key2}`,
      PAYMENT_ENCRYPTION_KEY_ID: "k2",
    });
    try {
      const { payment: read } = await rotated.client.getPayment({ paymentId: old.id });
      expect(read?.providerPaymentIntentId).to.equal(old.providerPaymentIntentId);
      expect(read?.cardLast4).to.equal("4242");
      expect(read?.cardBrand).to.equal("visa");
      // The old row still works for money, not only for reading: refund it under the new keyring.
      const refunded = await rotated.client.refund({
        paymentId: old.id,
        amount: usd(100),
        reason: "rotation",
        idempotencyKey: `${old.orderId}:refund:1`,
      });
      expect(refunded.payment?.state).to.equal(PaymentState.PARTIALLY_REFUNDED);
      const refundRow = await payment
        .db()
        .execute<{ provider_refund_id: string }[]>(
          `select provider_refund_id from payment_refund where payment_id = ?`,
          [old.id],
        );
      expect(refundRow[0]?.provider_refund_id).to.match(/^k2:/);
      expect((await storedRow(payment.db(), old.id)).provider_intent_id).to.match(/^k1:/);

      const fresh = await authorizeRequest(payment);
      const { payment: made } = await rotated.client.authorize(fresh);
      expect((await storedRow(payment.db(), made?.id ?? "")).provider_intent_id).to.match(/^k2:/);

      // Without k1 the old row cannot be read yet: the old key stays until the reseal has run.
      const early = await restartPayment(payment, {
        PAYMENT_ENCRYPTION_KEYS: `k2:${key2}`,
        PAYMENT_ENCRYPTION_KEY_ID: "k2",
        // The INTERNAL below is the point; its log line is not.
        LOG_LEVEL: "silent",
      });
      try {
        expect(await codeOf(early.client.getPayment({ paymentId: old.id }))).to.equal(Code.Internal);
      } finally {
        await early.close();
      }

      expect(await resealStaleValues(rotated.deps.orm, rotated.deps.cipher, { batchSize: 2 })).to.be.at.least(1);
      const row = await storedRow(payment.db(), old.id);
      for (const sealed of [row.provider_intent_id, row.card_brand, row.card_last4]) expect(sealed).to.match(/^k2:/);
      expect(await resealStaleValues(rotated.deps.orm, rotated.deps.cipher)).to.equal(0);
    } finally {
      await rotated.close();
    }

    const onlyNew = await restartPayment(payment, {
      PAYMENT_ENCRYPTION_KEYS: `k2:${key2}`,
      PAYMENT_ENCRYPTION_KEY_ID: "k2",
    });
    try {
      const { payment: read } = await onlyNew.client.getPayment({ paymentId: old.id });
      expect(read?.providerPaymentIntentId).to.equal(old.providerPaymentIntentId);
      expect(read?.cardLast4).to.equal("4242");
    } finally {
      await onlyNew.close();
    }
  });
});
