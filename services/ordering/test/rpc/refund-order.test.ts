import { randomUUID } from "node:crypto";
import { concertIn, hall, publish } from "@marquee/inventory/testing";
import { Code } from "@marquee/mesh";
import {
  badFields,
  failureOf,
  organizerToken,
  preconditions,
  testId,
  testUserIds,
  waitFor,
} from "@marquee/mesh/testing";
import { gatewayRefunds } from "@marquee/payment/testing";
import { SeatState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { OrderState, RefundReason, RefundState } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { TicketState } from "@marquee/proto/marquee/ordering/v1/ticket_pb.js";
import { expect } from "chai";
import { reconcilePayments } from "../../src/domain/reconciliation.js";
import { carryOut } from "../../src/domain/refunds.js";
import { reconcileSeats } from "../../src/domain/seat-reconciliation.js";
import { buyer, cards, checkoutSettled, hold, settled, tokenize, useOrdering } from "../support/testing.js";

describe("OrderingService.RefundOrder and CancelOrder", function () {
  this.timeout(120_000);
  // Payment's breaker stays shut: the outage test's failures must not spill into the next test.
  const env = useOrdering({ paymentSettings: { GATEWAY_MAX_ATTEMPTS: "1", GATEWAY_BREAKER_FAILURES: "1000" } });

  afterEach(async () => {
    env.payment.gateway.settings.errorRate = 0;
    expect((await reconcilePayments(env.service.parts.orm, env.payment.client)).discrepancies).to.deep.equal([]);
    const { inventory, catalog } = env.service.deps;
    expect((await reconcileSeats(env.service.parts.orm, { inventory, catalog })).discrepancies).to.deep.equal([]);
  });

  async function seatState(eventId: string, seatId: string) {
    const { seats } = await env.inventory.client.getAvailability({ eventId, includeSeats: true });
    return seats.find((seat) => seat.seatId === seatId)?.state;
  }

  async function confirmedOrder(name: string, seatIds: string[]) {
    const event = await publish(env.inventory.catalog, hall, concertIn);
    const who = await buyer(name);
    const order = await checkoutSettled(env, who, (await hold(env, who, event.id, seatIds)).id);
    expect(order.state).to.equal(OrderState.CONFIRMED);
    return { event, who, order };
  }

  it("refunds chosen tickets exactly, puts their seats back on sale, and a retry returns the same refund", async () => {
    const { event, order } = await confirmedOrder("partly-refunded", ["stalls:A-1", "box:A-1"]);
    const organizer = await organizerToken(testUserIds.organizer);
    const request = {
      orderId: order.id,
      ticketIds: [order.tickets[1]?.id ?? ""],
      reason: RefundReason.REQUESTED_BY_BUYER,
      idempotencyKey: randomUUID(),
    };
    const first = await env.client.refundOrder(request, { token: organizer });
    // The premium seat: 5,000 taka and its 125 fee.
    expect(first.refund?.amount?.amountMinor).to.equal(512_500n);
    expect(first.order?.state).to.equal(OrderState.PARTIALLY_REFUNDED);
    expect(first.order?.tickets.map((ticket) => ticket.state)).to.deep.equal([
      TicketState.ISSUED,
      TicketState.REFUNDED,
    ]);
    expect(await seatState(event.id, "box:A-1")).to.equal(SeatState.AVAILABLE);
    expect(await seatState(event.id, "stalls:A-1")).to.equal(SeatState.SOLD);
    const again = await env.client.refundOrder(request, { token: organizer });
    expect(again.refund?.id).to.equal(first.refund?.id);
    const reused = await failureOf(env.client.refundOrder({ ...request, note: "other" }, { token: organizer }));
    expect(preconditions(reused).map((v) => v.type)).to.deep.equal(["IDEMPOTENCY_KEY_REUSED"]);

    const rest = await env.client.refundOrder(
      { orderId: order.id, reason: RefundReason.EVENT_CHANGED, idempotencyKey: randomUUID() },
      { token: organizer },
    );
    expect(rest.order?.state).to.equal(OrderState.REFUNDED);
    expect(rest.order?.refundedAmount?.amountMinor).to.equal(order.total?.amountMinor);
    const { payment } = await env.payment.client.getPayment({ orderId: order.id });
    const refunds = await gatewayRefunds(env.payment.gateway.url, payment?.providerPaymentIntentId ?? "");
    expect(refunds.reduce((sum, refund) => sum + refund.amount, 0)).to.equal(Number(order.total?.amountMinor));
  });

  it("keeps a refund made while payments are down, and the follower finishes it once they are back", async () => {
    const { order } = await confirmedOrder("refund-in-outage", ["stalls:B-1"]);
    env.payment.gateway.settings.errorRate = 1;
    const { refund } = await env.client.refundOrder(
      { orderId: order.id, reason: RefundReason.DUPLICATE, idempotencyKey: randomUUID() },
      { token: await organizerToken(testUserIds.organizer) },
    );
    expect(refund?.state).to.equal(RefundState.PENDING);
    expect(refund?.paymentRefundId).to.equal("");
    env.payment.gateway.settings.errorRate = 0;
    const settled = await waitFor(
      "the refund to settle",
      async () => {
        await carryOut(env.service.deps, refund?.id ?? "");
        const { order: now } = await env.client.getOrder(
          { orderId: order.id },
          { token: (await buyer("refund-in-outage")).token },
        );
        return now?.refunds[0]?.state === RefundState.SUCCEEDED ? now : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(settled.refundedAmount?.amountMinor).to.equal(order.total?.amountMinor);
  });

  it("refuses strangers, bad requests and tickets refunded already", async () => {
    const { order } = await confirmedOrder("refund-refusals", ["stalls:C-1"]);
    const organizer = await organizerToken(testUserIds.organizer);
    const stranger = await organizerToken(testId("another-organizer"));
    const base = { orderId: order.id, reason: RefundReason.FRAUDULENT, idempotencyKey: randomUUID() };
    expect((await failureOf(env.client.refundOrder(base, { token: stranger }))).code).to.equal(Code.NotFound);
    const bad = await failureOf(
      env.client.refundOrder(
        { orderId: order.id, reason: RefundReason.CHECKOUT_FAILED, idempotencyKey: "", ticketIds: ["x"] },
        { token: organizer },
      ),
    );
    expect(badFields(bad)).to.have.members(["reason", "idempotency_key", "ticket_ids[0]"]);
    await env.client.refundOrder(base, { token: organizer });
    const twice = await failureOf(
      env.client.refundOrder(
        { ...base, idempotencyKey: randomUUID(), ticketIds: [order.tickets[0]?.id ?? ""] },
        { token: organizer },
      ),
    );
    expect(twice.code).to.equal(Code.FailedPrecondition);
  });

  it("cancels a pending order at the buyer's request: the authorization voided, the seats free, nothing charged", async () => {
    const event = await publish(env.inventory.catalog, hall, concertIn);
    const who = await buyer("changed-mind");
    const held = await hold(env, who, event.id, ["stalls:D-1"]);
    // Payments are down: CreateOrder answers UNAVAILABLE and keeps the order PENDING in its authorization.
    const paymentMethodToken = await tokenize(env.payment.gateway.url, cards.success);
    env.payment.gateway.settings.errorRate = 1;
    const refused = await failureOf(
      env.client.createOrder(
        { holdId: held.id, idempotencyKey: randomUUID(), paymentMethodToken, buyer: who.contact },
        { token: who.token },
      ),
    );
    expect(refused.code).to.equal(Code.Unavailable);
    env.payment.gateway.settings.errorRate = 0;
    const order = (await env.client.listMyOrders({}, { token: who.token })).orders[0];
    if (order?.state === OrderState.PENDING) {
      const { order: answered } = await env.client.cancelOrder({ orderId: order.id }, { token: who.token });
      // CANCELLED at once, or still compensating (the void retried) on a loaded machine, then CANCELLED.
      const cancelled = answered && (await settled(env, who, answered));
      expect(cancelled?.state).to.equal(OrderState.CANCELLED);
      const again = await env.client.cancelOrder({ orderId: order.id }, { token: who.token });
      expect(again.order?.state).to.equal(OrderState.CANCELLED);
      expect(await seatState(event.id, "stalls:D-1")).to.equal(SeatState.AVAILABLE);
      const { payment } = await env.payment.client.getPayment({ orderId: order.id });
      expect(payment?.capturedAmount?.amountMinor ?? 0n).to.equal(0n);
    } else {
      throw new Error(`the order settled before the test could cancel it: ${OrderState[order?.state ?? 0]}`);
    }
  });

  it("refuses to cancel a confirmed order: no event has a cancellation policy yet", async () => {
    const { who, order } = await confirmedOrder("no-policy", ["stalls:E-1"]);
    const error = await failureOf(env.client.cancelOrder({ orderId: order.id }, { token: who.token }));
    expect(preconditions(error).map((v) => v.type)).to.deep.equal(["CANCELLATION_NOT_ALLOWED"]);
  });
});
