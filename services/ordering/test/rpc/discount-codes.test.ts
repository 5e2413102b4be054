import { randomUUID } from "node:crypto";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { createEventOn } from "@marquee/catalog/testing";
import { concertIn, hall, publish } from "@marquee/inventory/testing";
import { Code } from "@marquee/mesh";
import {
  badFields,
  failureOf,
  organizerToken,
  preconditions,
  testId,
  testUserIds,
  wholeMinutesFromNow,
} from "@marquee/mesh/testing";
import { Category, EventKind, type VenueSchema } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { OrderState, RefundReason, RefundState } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { expect } from "chai";
import { reconcilePayments } from "../../src/domain/reconciliation.js";
import { buyer, cards, hold, settled, tokenize, useOrdering } from "../support/testing.js";

/** A club: one general-admission floor of 1,000 places. */
const club: MessageInitShape<typeof VenueSchema> = {
  name: "Gulshan Club",
  city: "Dhaka",
  countryCode: "BD",
  timeZone: "Asia/Dhaka",
  sections: [{ id: "pit", name: "Pit", layout: { case: "generalAdmission", value: { capacity: 1000 } } }],
};

describe("discount codes: CreateDiscountCode, ListDiscountCodes, and codes at checkout", function () {
  this.timeout(240_000);
  const env = useOrdering();

  async function codeFor(eventId: string, fields: { code: string; percentOff?: number; maxUses?: number }) {
    const organizer = await organizerToken(testUserIds.organizer);
    const { discountCode } = await env.client.createDiscountCode(
      {
        discountCode: { eventId, code: fields.code, percentOff: fields.percentOff ?? 20, maxUses: fields.maxUses ?? 0 },
      },
      { token: organizer },
    );
    return discountCode;
  }

  it("takes the percent off each ticket before the fee, in the quote and the order, and counts the use", async () => {
    const event = await publish(env.inventory.catalog, hall, concertIn);
    await codeFor(event.id, { code: "Spring-20" });
    const ana = await buyer("discounted");
    const held = await hold(env, ana, event.id, ["stalls:A-1", "box:A-1"]);
    const quote = await env.client.quoteOrder({ holdId: held.id, discountCode: "spring-20" }, { token: ana.token });
    // 2,000 and 5,000 taka less 20 %: 1,600 + 4,000; the 2.5 % fee on that.
    expect(
      quote.lineItems.map((line) => [line.price?.amountMinor, line.discount?.amountMinor, line.fee?.amountMinor]),
    ).to.deep.equal([
      [160_000n, 40_000n, 4_000n],
      [400_000n, 100_000n, 10_000n],
    ]);
    expect(quote.discount?.amountMinor).to.equal(140_000n);
    expect(quote.total?.amountMinor).to.equal(574_000n);
    const { order } = await env.client.createOrder(
      {
        holdId: held.id,
        idempotencyKey: randomUUID(),
        paymentMethodToken: await tokenize(env.payment.gateway.url),
        buyer: ana.contact,
        discountCode: "SPRING-20",
        expectedTotal: quote.total,
      },
      { token: ana.token },
    );
    expect(order?.state).to.equal(OrderState.CONFIRMED);
    expect(order?.discountCode).to.equal("SPRING-20");
    expect(order?.total?.amountMinor).to.equal(574_000n);
    const { discountCodes } = await env.client.listDiscountCodes(
      { eventId: event.id },
      { token: await organizerToken(testUserIds.organizer) },
    );
    expect(discountCodes.map((code) => [code.code, code.useCount])).to.deep.equal([["SPRING-20", 1]]);
  });

  it("pages an event's codes newest first, each once, and refuses another event's page token", async () => {
    const event = await publish(env.inventory.catalog, hall, concertIn);
    const other = await publish(env.inventory.catalog, hall, concertIn);
    const names = ["PAGE-1", "PAGE-2", "PAGE-3", "PAGE-4", "PAGE-5"];
    for (const code of names) await codeFor(event.id, { code });
    const organizer = await organizerToken(testUserIds.organizer);
    const seen: string[] = [];
    const created: number[] = [];
    let pageToken = "";
    let pages = 0;
    do {
      const page = await env.client.listDiscountCodes(
        { eventId: event.id, pageSize: 2, pageToken },
        { token: organizer },
      );
      expect(page.discountCodes.length).to.be.at.most(2);
      seen.push(...page.discountCodes.map((code) => code.code));
      created.push(
        ...page.discountCodes.map(
          (code) => Number(code.createTime?.seconds ?? 0n) * 1e3 + (code.createTime?.nanos ?? 0) / 1e6,
        ),
      );
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken !== "");
    // Each once; newest first (codes made in the same millisecond follow their ids).
    expect([...seen].sort()).to.deep.equal(names);
    expect(created).to.deep.equal([...created].sort((a, b) => b - a));
    expect(pages).to.equal(3);
    const first = await env.client.listDiscountCodes({ eventId: event.id, pageSize: 2 }, { token: organizer });
    const error = await failureOf(
      env.client.listDiscountCodes({ eventId: other.id, pageToken: first.nextPageToken }, { token: organizer }),
    );
    expect(badFields(error)).to.deep.equal(["page_token"]);
  });

  it("gives a use back when the card is declined, and refuses unknown codes and codes of other events", async () => {
    const event = await publish(env.inventory.catalog, hall, concertIn);
    const other = await publish(env.inventory.catalog, hall, concertIn);
    await codeFor(event.id, { code: "ONCE", maxUses: 1 });
    const ben = await buyer("declined-with-code");
    const held = await hold(env, ben, event.id, ["stalls:B-1"]);
    const order = (card: string) =>
      tokenize(env.payment.gateway.url, card).then((paymentMethodToken) =>
        env.client.createOrder(
          {
            holdId: held.id,
            idempotencyKey: randomUUID(),
            paymentMethodToken,
            buyer: ben.contact,
            discountCode: "once",
          },
          { token: ben.token },
        ),
      );
    expect((await order(cards.genericDecline)).order?.state).to.equal(OrderState.FAILED);
    expect((await order(cards.success)).order?.state).to.equal(OrderState.CONFIRMED);
    const cyd = await buyer("too-late-for-code");
    const late = await hold(env, cyd, event.id, ["stalls:B-2"]);
    const usedUp = await failureOf(
      env.client.quoteOrder({ holdId: late.id, discountCode: "ONCE" }, { token: cyd.token }),
    );
    expect(preconditions(usedUp).map((v) => v.type)).to.deep.equal(["DISCOUNT_CODE_UNAVAILABLE"]);
    const elsewhere = await hold(env, cyd, other.id, ["stalls:B-2"]);
    const unknown = await failureOf(
      env.client.quoteOrder({ holdId: elsewhere.id, discountCode: "ONCE" }, { token: cyd.token }),
    );
    expect(badFields(unknown)).to.deep.equal(["discount_code"]);
  });

  it("sells a 100 % code's tickets without taking a payment", async () => {
    const event = await publish(env.inventory.catalog, hall, concertIn);
    await codeFor(event.id, { code: "GUEST-LIST", percentOff: 100 });
    const guest = await buyer("guest");
    const held = await hold(env, guest, event.id, ["box:A-2"]);
    const { order } = await env.client.createOrder(
      {
        holdId: held.id,
        idempotencyKey: randomUUID(),
        paymentMethodToken: await tokenize(env.payment.gateway.url),
        buyer: guest.contact,
        discountCode: "guest-list",
      },
      { token: guest.token },
    );
    expect(order?.state).to.equal(OrderState.CONFIRMED);
    expect(order?.total?.amountMinor).to.equal(0n);
    expect(order?.tickets).to.have.length(1);
    expect((await failureOf(env.payment.client.getPayment({ orderId: order?.id ?? "" }))).code).to.equal(Code.NotFound);
    // Refunded, the free ticket is void and its seat back on sale, with no money moving.
    const { refund, order: refunded } = await env.client.refundOrder(
      { orderId: order?.id ?? "", idempotencyKey: randomUUID(), reason: RefundReason.REQUESTED_BY_BUYER },
      { token: await organizerToken(testUserIds.organizer) },
    );
    expect(refund?.amount?.amountMinor).to.equal(0n);
    expect(refund?.state).to.equal(RefundState.SUCCEEDED);
    expect(refunded?.state).to.equal(OrderState.REFUNDED);
  });

  it("refuses bad codes naming each field, a duplicate in another case, and another organizer's event", async () => {
    const event = await publish(env.inventory.catalog, hall, concertIn);
    const organizer = await organizerToken(testUserIds.organizer);
    const bad = await failureOf(
      env.client.createDiscountCode(
        {
          discountCode: {
            eventId: event.id,
            code: "x",
            percentOff: 120,
            maxUses: -1,
            amountOff: { currencyCode: "BDT", amountMinor: 5n },
          },
        },
        { token: organizer },
      ),
    );
    expect(badFields(bad)).to.have.members([
      "discount_code.code",
      "discount_code.percent_off",
      "discount_code.max_uses",
    ]);
    await codeFor(event.id, { code: "EARLY" });
    const twice = await failureOf(codeFor(event.id, { code: "early" }));
    expect(twice.code).to.equal(Code.AlreadyExists);
    const stranger = await organizerToken(testId("another-organizer"));
    const foreign = await failureOf(
      env.client.createDiscountCode(
        { discountCode: { eventId: event.id, code: "MINE", percentOff: 10 } },
        { token: stranger },
      ),
    );
    expect(foreign.code).to.equal(Code.NotFound);
  });

  it("gives a 100-use code to exactly 100 of 1,000 buyers racing for it", async () => {
    const { event } = await createEventOn(
      env.inventory.catalog,
      await organizerToken(testUserIds.organizer),
      club,
      (venueId) => ({
        kind: EventKind.EVENT,
        category: Category.CONCERT,
        title: "Pit party",
        venueId,
        startTime: wholeMinutesFromNow({ days: 30 }),
        endTime: wholeMinutesFromNow({ days: 30, hours: 3 }),
        currencyCode: "BDT",
        priceTiers: [{ id: "pit", name: "Pit", price: { amountMinor: 100_000n }, sectionIds: ["pit"] }],
      }),
    );
    await codeFor(event.id, { code: "FIRST-100", percentOff: 50, maxUses: 100 });
    const buyers = await Promise.all(Array.from({ length: 1000 }, (_, i) => buyer(`racer-${i}`)));
    const holds = await inBatches(buyers, 50, async (who) => {
      const { hold } = await env.inventory.client.holdSeats(
        { eventId: event.id, places: [{ sectionId: "pit", quantity: 1 }] },
        { token: who.token },
      );
      return { who, holdId: hold?.id ?? "", token: await tokenize(env.payment.gateway.url) };
    });
    const outcomes = await inBatches(holds, 100, async ({ who, holdId, token }) => {
      try {
        const { order: answered } = await env.client.createOrder(
          {
            holdId,
            idempotencyKey: randomUUID(),
            paymentMethodToken: token,
            buyer: who.contact,
            discountCode: "first-100",
          },
          { token: who.token },
        );
        const order = answered && (await settled(env, who, answered));
        return order?.state === OrderState.CONFIRMED && order.discountCode === "FIRST-100" ? "discounted" : "other";
      } catch (error) {
        return preconditions(error as never).some((v) => v.type === "DISCOUNT_CODE_UNAVAILABLE") ? "refused" : "error";
      }
    });
    const counts = Object.fromEntries(
      ["discounted", "refused", "other", "error"].map((k) => [k, outcomes.filter((o) => o === k).length]),
    );
    expect(counts).to.deep.equal({ discounted: 100, refused: 900, other: 0, error: 0 });
    const { discountCodes } = await env.client.listDiscountCodes(
      { eventId: event.id },
      { token: await organizerToken(testUserIds.organizer) },
    );
    expect(discountCodes[0]?.useCount).to.equal(100);
    expect((await reconcilePayments(env.service.parts.orm, env.payment.client)).discrepancies).to.deep.equal([]);
  });
});

/** Maps `items` through `work`, `size` at a time. */
async function inBatches<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size) {
    results.push(...(await Promise.all(items.slice(start, start + size).map(work))));
  }
  return results;
}
