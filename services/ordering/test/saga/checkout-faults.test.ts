import { randomUUID } from "node:crypto";
import { concertIn, expireNow, hall, publish } from "@marquee/inventory/testing";
import { Code } from "@marquee/mesh";
import { failureOf, organizerToken, testUserIds, waitFor } from "@marquee/mesh/testing";
import { gatewayIntent } from "@marquee/payment/testing";
import { SeatState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { type Order, OrderFailureReason, OrderState } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { PaymentState } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import { expect } from "chai";
import { reconcilePayments } from "../../src/domain/reconciliation.js";
import { reconcileSeats } from "../../src/domain/seat-reconciliation.js";
import { OrderEntity } from "../../src/entities/index.js";
import { spawnOrdering } from "../support/ordering-child.js";
import { type Buyer, buyer, cards, checkout, hold, tokenize, useOrdering } from "../support/testing.js";

/**
 * The saga under faults: a process killed at each step, a gateway that fails or hangs, a hold that lapses
 * and an event cancelled mid-payment. Each ends in a clear state, and the books reconcile after each: a
 * confirmed order was charged exactly once, anything else keeps none of the buyer's money, and the
 * ledger sells exactly the seats of confirmed orders' tickets.
 */
describe("the checkout saga under faults", function () {
  this.timeout(120_000);
  const env = useOrdering({
    settings: { CHECKOUT_WAIT_MS: "0" },
    paymentSettings: { GATEWAY_TIMEOUT_MS: "300", GATEWAY_MAX_ATTEMPTS: "1", GATEWAY_BREAKER_FAILURES: "1000" },
    recordGateway: true,
  });

  afterEach(async () => {
    env.payment.gateway.settings.latencyMs = 0;
    env.payment.gateway.settings.errorRate = 0;
    const books = await reconcilePayments(env.service.parts.orm, env.payment.client);
    expect(books.discrepancies).to.deep.equal([]);
    const { inventory, catalog } = env.service.deps;
    expect((await reconcileSeats(env.service.parts.orm, { inventory, catalog })).discrepancies).to.deep.equal([]);
  });

  async function seatState(eventId: string, seatId: string) {
    const { seats } = await env.inventory.client.getAvailability({ eventId, includeSeats: true });
    return seats.find((seat) => seat.seatId === seatId)?.state;
  }

  /** Resumes sagas here until the order leaves PENDING; the order then. */
  async function settledHere(orderId: string, who: Buyer, timeoutMs = 30_000): Promise<Order> {
    return await waitFor(
      `order ${orderId} to settle`,
      async () => {
        await env.service.deps.saga.resumeDue();
        const { order } = await env.client.getOrder({ orderId }, { token: who.token });
        return order?.state === OrderState.PENDING ? undefined : order;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  async function gatewayIntentOf(order: Order) {
    const { payment } = await env.payment.client.getPayment({ orderId: order.id });
    return await gatewayIntent(env.payment.gateway.url, payment?.providerPaymentIntentId ?? "");
  }

  for (const killAfterMs of [150, 700, 1300]) {
    it(`resumes a checkout whose process was killed ${killAfterMs} ms in, charging once`, async () => {
      const event = await publish(env.inventory.catalog, hall, concertIn);
      const who = await buyer(`killed-${killAfterMs}`);
      const held = await hold(env, who, event.id, ["stalls:A-1", "stalls:A-2"]);
      // Each gateway call takes half a second, so the kill lands in authorization, between the steps or in capture.
      env.payment.gateway.settings.latencyMs = 500;
      const child = await spawnOrdering(env, { CHECKOUT_WAIT_MS: "0" });
      let orderId: string;
      try {
        const { order } = await child.client.createOrder(
          {
            holdId: held.id,
            idempotencyKey: randomUUID(),
            paymentMethodToken: await tokenize(env.payment.gateway.url),
            buyer: who.contact,
          },
          { token: who.token },
        );
        orderId = order?.id ?? "";
        await new Promise((resolve) => setTimeout(resolve, killAfterMs));
      } finally {
        await child.kill();
      }
      const order = await settledHere(orderId, who);
      expect(order.state).to.equal(OrderState.CONFIRMED);
      expect(order.tickets).to.have.length(2);
      const intent = await gatewayIntentOf(order);
      expect(intent.amount_received).to.equal(Number(order.total?.amountMinor));
      expect(await seatState(event.id, "stalls:A-2")).to.equal(SeatState.SOLD);
    });
  }

  it("confirms exactly once, with one charge, an order whose process died between capture and confirm", async () => {
    const event = await publish(env.inventory.catalog, hall, concertIn);
    const who = await buyer("died-after-capture");
    const held = await hold(env, who, event.id, ["stalls:B-9"]);
    env.payment.gateway.settings.latencyMs = 300;
    const child = await spawnOrdering(env, { CHECKOUT_WAIT_MS: "0" });
    let orderId = "";
    try {
      const { order } = await child.client.createOrder(
        {
          holdId: held.id,
          idempotencyKey: randomUUID(),
          paymentMethodToken: await tokenize(env.payment.gateway.url),
          buyer: who.contact,
        },
        { token: who.token },
      );
      orderId = order?.id ?? "";
      await waitFor("the child to reach the capture step", async () => {
        const row = await env.service.parts.orm.em.fork().findOne(OrderEntity, { id: orderId });
        return row?.sagaStep === "CAPTURE";
      });
    } finally {
      await child.kill();
    }
    // What the dead process got done: the capture, under the saga's key (its own attempt may still be in
    // flight at the gateway, which answers 409 until it ends). Only the confirmation is missing.
    const row = await env.service.parts.orm.em.fork().findOneOrFail(OrderEntity, { id: orderId });
    await waitFor("the capture of the dead process's order", async () => {
      const { payment } = await env.payment.client.capture({
        paymentId: row.paymentId,
        idempotencyKey: `${orderId}:capture`,
      });
      return payment;
    });

    const order = await settledHere(orderId, who);
    expect(order.state).to.equal(OrderState.CONFIRMED);
    expect(order.tickets).to.have.length(1);
    const intent = await gatewayIntentOf(order);
    expect(intent.amount_received).to.equal(Number(order.total?.amountMinor));
    // The gateway took the money once: the dead process's request (which it finished after the caller
    // vanished); every later attempt under the key was told to wait (409) or got that answer replayed.
    const captures = (env.payment.proxy?.requests ?? []).filter(
      (request) => request.path === `/v1/payment_intents/${intent.id}/capture`,
    );
    expect(captures.filter((request) => !request.isReplay && request.status !== 409)).to.have.length(1);
    const [confirmed] = await env.service.parts.orm.em
      .fork()
      .execute<{ count: string }[]>(
        "select count(*) as count from outbox where type = 'marquee.events.v1.OrderConfirmed' and subject = ?",
        [orderId],
      );
    expect(Number(confirmed?.count)).to.equal(1);
  });

  it("waits out a gateway that fails every call, then confirms once it recovers", async () => {
    const event = await publish(env.inventory.catalog, hall, concertIn);
    const who = await buyer("gateway-down");
    const held = await hold(env, who, event.id, ["stalls:B-1"]);
    const paymentMethodToken = await tokenize(env.payment.gateway.url);
    env.payment.gateway.settings.errorRate = 1;
    const { order: created } = await env.client.createOrder(
      { holdId: held.id, idempotencyKey: randomUUID(), paymentMethodToken, buyer: who.contact },
      { token: who.token },
    );
    const pending = created as Order;
    await env.service.deps.saga.advance(pending.id);
    const { order: waiting } = await env.client.getOrder({ orderId: pending.id }, { token: who.token });
    expect(waiting?.state).to.equal(OrderState.PENDING);
    env.payment.gateway.settings.errorRate = 0;
    const order = await settledHere(pending.id, who);
    expect(order.state).to.equal(OrderState.CONFIRMED);
    expect((await gatewayIntentOf(order)).amount_received).to.equal(Number(order.total?.amountMinor));
  });

  it("ends EXPIRED, charging nothing, when the gateway hangs until the hold has lapsed", async () => {
    const event = await publish(env.inventory.catalog, hall, concertIn);
    const who = await buyer("hung");
    const held = await hold(env, who, event.id, ["stalls:C-1"]);
    const pending = await checkout(env, who, held.id, cards.hang);
    await env.service.deps.saga.advance(pending.id);
    // The hold lapses while the payment is unanswered.
    await expireNow(env.inventory.redis, event.id, held.id);
    await env.service.parts.orm.em
      .fork()
      .nativeUpdate(OrderEntity, { id: pending.id }, { expireTime: new Date(Date.now() - 1000), leaseUntil: null });
    const order = await settledHere(pending.id, who);
    expect(order.state).to.equal(OrderState.EXPIRED);
    expect(order.failureReason).to.equal(OrderFailureReason.HOLD_EXPIRED);
    const { payment } = await env.payment.client.getPayment({ orderId: order.id });
    expect(payment?.state).to.equal(PaymentState.VOIDED);
    expect(order.tickets).to.deep.equal([]);
  });

  it("voids the authorization and ends EXPIRED when the hold lapses between authorization and commit", async () => {
    const event = await publish(env.inventory.catalog, hall, concertIn);
    const who = await buyer("lapsed");
    const held = await hold(env, who, event.id, ["stalls:D-1"]);
    env.payment.gateway.settings.latencyMs = 250;
    const pending = await checkout(env, who, held.id);
    const running = env.service.deps.saga.advance(pending.id);
    await expireNow(env.inventory.redis, event.id, held.id);
    await running;
    const order = await settledHere(pending.id, who);
    expect(order.state).to.equal(OrderState.EXPIRED);
    expect(order.failureReason).to.equal(OrderFailureReason.HOLD_EXPIRED);
    const intent = await gatewayIntentOf(order);
    expect(intent.status).to.equal("canceled");
    expect(intent.amount_received).to.equal(0);
    expect(await seatState(event.id, "stalls:D-1")).to.not.equal(SeatState.SOLD);
  });

  it("fails with EVENT_UNAVAILABLE and releases the money when the event is cancelled mid-payment", async () => {
    const event = await publish(env.inventory.catalog, hall, concertIn);
    const who = await buyer("cancelled-event");
    const held = await hold(env, who, event.id, ["stalls:E-1"]);
    env.payment.gateway.settings.latencyMs = 400;
    const pending = await checkout(env, who, held.id);
    const running = env.service.deps.saga.advance(pending.id);
    await env.inventory.catalog.client.cancelEvent(
      { eventId: event.id, reason: "the venue flooded" },
      { token: await organizerToken(testUserIds.organizer) },
    );
    await running;
    const order = await settledHere(pending.id, who);
    expect(order.state).to.equal(OrderState.FAILED);
    expect(order.failureReason).to.equal(OrderFailureReason.EVENT_UNAVAILABLE);
    expect((await gatewayIntentOf(order)).amount_received).to.equal(0);
  });

  it("reconciliation finds an order whose books disagree", async () => {
    const event = await publish(env.inventory.catalog, hall, concertIn);
    const who = await buyer("tampered");
    const held = await hold(env, who, event.id, ["stalls:E-5"]);
    const order = await settledHere((await checkout(env, who, held.id)).id, who);
    const em = env.service.parts.orm.em.fork();
    await em.nativeUpdate(
      OrderEntity,
      { id: order.id },
      { totalMinor: (order.total?.amountMinor ?? 0n) + 1n, feesMinor: (order.fees?.amountMinor ?? 0n) + 1n },
    );
    const books = await reconcilePayments(env.service.parts.orm, env.payment.client);
    expect(books.discrepancies.map((found) => found.orderId)).to.deep.equal([order.id]);
    await em.nativeUpdate(
      OrderEntity,
      { id: order.id },
      { totalMinor: order.total?.amountMinor ?? 0n, feesMinor: order.fees?.amountMinor ?? 0n },
    );
  });
});

describe("the checkout saga when the gateway hangs for everyone", function () {
  this.timeout(120_000);
  const env = useOrdering({
    settings: { CHECKOUT_WAIT_MS: "0" },
    paymentSettings: {
      GATEWAY_TIMEOUT_MS: "200",
      GATEWAY_MAX_ATTEMPTS: "2",
      GATEWAY_RETRY_INITIAL_DELAY_MS: "10",
      GATEWAY_BREAKER_FAILURES: "4",
      GATEWAY_BREAKER_HALF_OPEN_MS: "60000",
    },
    recordGateway: true,
  });

  it("times out and retries each payment, then fails checkouts fast with UNAVAILABLE once the breaker opens, charging nothing", async () => {
    const event = await publish(env.inventory.catalog, hall, concertIn);
    const proxy = env.payment.proxy;
    if (proxy === undefined) throw new Error("the test asked for a recording proxy");
    const hung: Order[] = [];
    for (const [index, name] of ["hung-1", "hung-2"].entries()) {
      const who = await buyer(name);
      const held = await hold(env, who, event.id, [`stalls:A-${index + 1}`]);
      const order = await checkout(env, who, held.id, cards.hang);
      // One step of the saga: an authorization tried twice (200 ms each) under one gateway key, then it waits.
      await env.service.deps.saga.advance(order.id);
      hung.push(order);
    }
    const attempts = proxy.requestsTo("POST", "/v1/payment_intents");
    expect(attempts.map((request) => request.status)).to.deep.equal(["aborted", "aborted", "aborted", "aborted"]);
    expect(new Set(attempts.map((request) => request.idempotencyKey)).size).to.equal(2);

    // Four failures in a row opened payment's breaker: the next checkout is refused at once, before the
    // gateway sees anything, and asking again with the same key says the same.
    const late = await buyer("after-breaker");
    const held = await hold(env, late, event.id, ["stalls:A-3"]);
    const paymentMethodToken = await tokenize(env.payment.gateway.url);
    const request = { holdId: held.id, idempotencyKey: randomUUID(), paymentMethodToken, buyer: late.contact };
    const { order } = await env.client.createOrder(request, { token: late.token });
    await env.service.deps.saga.advance(order?.id ?? "");
    const error = await failureOf(env.client.createOrder(request, { token: late.token }));
    expect(error.code).to.equal(Code.Unavailable);
    expect(error.rawMessage).to.match(/retry with the same idempotency key/);
    expect(proxy.requestsTo("POST", "/v1/payment_intents")).to.have.length(4);
    for (const pending of [...hung, order as Order]) {
      const paid = await env.payment.client.getPayment({ orderId: pending.id }).catch(() => undefined);
      expect(paid?.payment?.capturedAmount?.amountMinor ?? 0n).to.equal(0n);
    }
  });
});
