import { randomUUID } from "node:crypto";
import { create, fromBinary } from "@bufbuild/protobuf";
import { anyPack, timestampNow } from "@bufbuild/protobuf/wkt";
import { concertIn, hall, publish } from "@marquee/inventory/testing";
import { type Consumer, eventStream, type Relay, startRelay } from "@marquee/mesh";
import { organizerToken, testUserIds, waitFor } from "@marquee/mesh/testing";
import { gatewayRefunds } from "@marquee/payment/testing";
import type { Event } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { EnvelopeSchema } from "@marquee/proto/marquee/events/v1/envelope_pb.js";
import { EventCancelledSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import { HoldState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { type Order, OrderFailureReason, OrderState } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { expect } from "chai";
import { eventCancelledRefundKey, workOffCancellation } from "../../src/background/cancellation-worker.js";
import { followCatalog, handleCatalogEvent } from "../../src/background/catalog-events.js";
import { reconcileCancellations } from "../../src/domain/cancellation-reconciliation.js";
import { reconcilePayments } from "../../src/domain/reconciliation.js";
import { carryOut, unfinishedRefundIds } from "../../src/domain/refunds.js";
import { EventCancellationEntity, OrderEntity, RefundEntity } from "../../src/entities/index.js";
import { spawnOrdering } from "../support/ordering-child.js";
import { buyer, cards, checkoutSettled, hold, settled, tokenize, useOrdering } from "../support/testing.js";

/**
 * An organizer cancels an event: ordering hears EventCancelled on catalog's stream (catalog's outbox and
 * relay, ordering's consumer and inbox, all real) and refunds every confirmed order once, in batches,
 * through the refund path — across a SIGKILL between batches and a redelivered event — cancels orders
 * still in checkout, and refunds an order confirmed after its event's last batch. The books reconcile.
 */
describe("the cancellation of an event's orders", function () {
  this.timeout(180_000);
  const env = useOrdering({
    settings: { CHECKOUT_WAIT_MS: "0" },
    paymentSettings: { GATEWAY_MAX_ATTEMPTS: "1", GATEWAY_BREAKER_FAILURES: "1000" },
  });
  let relay: Relay;
  let consumer: Consumer;

  before(() => {
    // Catalog's relay and ordering's consumer, which the test services leave to the test.
    const { orm, redis } = env.service.parts;
    const log = env.service.deps.log;
    relay = startRelay({ orm: env.inventory.catalog.orm, redis, source: "catalog", logger: log });
    consumer = followCatalog(orm, redis, `in-test-${process.pid}`, log);
  });

  after(async () => {
    await consumer?.stop();
    await relay?.stop();
  });

  afterEach(async () => {
    env.payment.gateway.settings.latencyMs = 0;
    env.payment.gateway.settings.errorRate = 0;
    expect((await reconcilePayments(env.service.parts.orm, env.payment.client)).discrepancies).to.deep.equal([]);
    expect((await reconcileCancellations(env.service.parts.orm, env.payment.client)).discrepancies).to.deep.equal([]);
  });

  const work = { batchSize: 5, batchesPerRound: 5 };
  const cancellationOf = (eventId: string) =>
    env.service.parts.orm.em.fork().findOne(EventCancellationEntity, { eventId });

  async function cancel(event: Event): Promise<void> {
    await env.inventory.catalog.client.cancelEvent(
      { eventId: event.id, reason: "the hall flooded" },
      { token: await organizerToken(testUserIds.organizer) },
    );
  }

  /** Works the cancellation off here, and the refunds' money as the follower does, until all is settled. */
  async function settleHere(eventId: string): Promise<void> {
    await waitFor(
      "the cancellation to be done and its refunds settled",
      async () => {
        const round = await workOffCancellation(env.service.deps, eventId, work);
        for (const id of await unfinishedRefundIds(env.service.deps, 100)) await carryOut(env.service.deps, id);
        return round.isDone && (await unfinishedRefundIds(env.service.deps, 1)).length === 0;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  }

  async function confirmedOrders(event: Event, count: number, prefix: string): Promise<Order[]> {
    const orders: Order[] = [];
    for (let index = 0; index < count; index++) {
      const who = await buyer(`${prefix}-${index}`);
      const seat = `stalls:${"ABCDE"[Math.floor(index / 10)]}-${(index % 10) + 1}`;
      const order = await checkoutSettled(env, who, (await hold(env, who, event.id, [seat])).id);
      expect(order.state).to.equal(OrderState.CONFIRMED);
      orders.push(order);
    }
    return orders;
  }

  it("refunds every confirmed order once though ordering is killed between batches and the event redelivered", async () => {
    const event = await publish(env.inventory.catalog, hall, concertIn);
    const orders = await confirmedOrders(event, 12, "holder");
    // A slow gateway and small batches, so the kill lands between batches with refunds on both sides.
    env.payment.gateway.settings.latencyMs = 250;
    const child = await spawnOrdering(env, {
      CANCELLATION_BATCH_SIZE: "2",
      CANCELLATION_INTERVAL_MS: "50",
      REFUND_FOLLOW_INTERVAL_MS: "600000",
    });
    const refunded = async () =>
      await env.service.parts.orm.em.fork().count(OrderEntity, { eventId: event.id, state: "REFUNDED" });
    try {
      await cancel(event);
      await waitFor("some orders refunded by the child", async () => (await refunded()) >= 3, {
        timeoutMs: 60_000,
        intervalMs: 20,
      });
    } finally {
      await child.kill();
    }
    const atKill = await refunded();
    expect(atKill, "the kill came after the last batch: nothing was left to resume").to.be.below(orders.length);
    env.payment.gateway.settings.latencyMs = 0;

    await settleHere(event.id);
    // The event comes again: once through the stream (the inbox skips it), once straight to the handler.
    const { redis } = env.service.parts;
    const entries = await redis.xrangeBuffer(eventStream("catalog"), "-", "+");
    const original = entries
      .map(([, fields]) => fields[fields.findIndex((field) => field.toString() === "envelope") + 1])
      .find((bytes) => bytes !== undefined && fromBinary(EnvelopeSchema, bytes).subject === event.id);
    if (original === undefined) throw new Error("catalog's relay put no EventCancelled on the stream");
    const again = await redis.xadd(eventStream("catalog"), "*", "envelope", original);
    await waitFor("the redelivery to be acknowledged", async () => {
      const groups = (await redis.xinfo("GROUPS", eventStream("catalog"))) as unknown[][];
      const group = groups.map((fields) => new Map(chunks(fields))).find((fields) => fields.get("name") === "ordering");
      return group?.get("last-delivered-id") === again && group?.get("pending") === 0;
    });
    const recorded = await cancellationOf(event.id);
    await env.service.parts.orm.em
      .fork()
      .transactional((em) => handleCatalogEvent(cancelledEnvelope(event.id, recorded?.sourceEventId ?? ""), em));
    expect((await workOffCancellation(env.service.deps, event.id, work)).refunded).to.equal(0);

    const em = env.service.parts.orm.em.fork();
    const refunds = await em.find(RefundEntity, { orderId: { $in: orders.map((order) => order.id) } });
    expect(refunds.map((refund) => refund.orderId).sort()).to.deep.equal(orders.map((order) => order.id).sort());
    expect(new Set(refunds.map((refund) => `${refund.reason}/${refund.idempotencyKey}/${refund.state}`))).to.deep.equal(
      new Set([`EVENT_CANCELLED/${eventCancelledRefundKey}/SUCCEEDED`]),
    );
    for (const order of orders) {
      const { payment } = await env.payment.client.getPayment({ orderId: order.id });
      const atGateway = await gatewayRefunds(env.payment.gateway.url, payment?.providerPaymentIntentId ?? "");
      expect(atGateway.map((refund) => refund.amount)).to.deep.equal([Number(order.total?.amountMinor)]);
    }
    const cancellation = await cancellationOf(event.id);
    expect(cancellation).to.deep.include({ state: "DONE", ordersRefunded: orders.length, ordersCancelled: 0 });
    const books = await reconcileCancellations(env.service.parts.orm, env.payment.client);
    const total = orders.reduce((sum, order) => sum + (order.total?.amountMinor ?? 0n), 0n);
    expect(books.capturedMinor - books.refundedMinor).to.equal(0n);
    expect(books.capturedMinor >= total).to.equal(true);
  });

  it("cancels an order still paying: its authorization let go, its hold released, CANCELLED for the event", async () => {
    const event = await publish(env.inventory.catalog, hall, concertIn);
    const who = await buyer("still-paying");
    const held = await hold(env, who, event.id, ["stalls:C-1"]);
    const paymentMethodToken = await tokenize(env.payment.gateway.url, cards.success);
    // Payments are down: the checkout waits at its first step, retrying.
    env.payment.gateway.settings.errorRate = 1;
    const { order: pending = failed("CreateOrder answered no order") } = await env.client.createOrder(
      { holdId: held.id, idempotencyKey: randomUUID(), paymentMethodToken, buyer: who.contact },
      { token: who.token },
    );
    expect(pending.state).to.equal(OrderState.PENDING);
    await cancel(event);
    await waitFor("ordering to hear of the cancellation", async () => (await cancellationOf(event.id)) !== null);
    env.payment.gateway.settings.errorRate = 0;
    const round = await workOffCancellation(env.service.deps, event.id, work);
    expect(round).to.deep.include({ refunded: 0, cancelled: 1 });
    const order = await settled(env, who, pending);
    expect(order.state).to.equal(OrderState.CANCELLED);
    expect(order.failureReason).to.equal(OrderFailureReason.EVENT_UNAVAILABLE);
    const { hold: after } = await env.inventory.internal.readHold({ holdId: held.id });
    expect(after?.state).to.not.equal(HoldState.ACTIVE);
    await settleHere(event.id);
    expect(await cancellationOf(event.id)).to.deep.include({ state: "DONE", ordersCancelled: 1 });
  });

  it("refunds an order confirmed after its event's cancellation was done (ordering heard first)", async () => {
    const event = await publish(env.inventory.catalog, hall, concertIn);
    // Ordering hears of the cancellation before inventory closes the sales: a checkout still gets through.
    await env.service.parts.orm.em
      .fork()
      .transactional((em) => handleCatalogEvent(cancelledEnvelope(event.id, randomUUID()), em));
    expect((await workOffCancellation(env.service.deps, event.id, work)).isDone).to.equal(true);
    const [late] = await confirmedOrders(event, 1, "late");
    expect(await cancellationOf(event.id)).to.deep.include({ state: "REFUNDING" });
    await settleHere(event.id);
    const { order } = await env.client.getOrder({ orderId: late?.id ?? "" }, { token: (await buyer("late-0")).token });
    expect(order?.state).to.equal(OrderState.REFUNDED);
    expect(order?.refundedAmount?.amountMinor).to.equal(late?.total?.amountMinor);
  });

  it("reconciliation finds a cancelled event whose money did not all go back", async () => {
    const event = await publish(env.inventory.catalog, hall, concertIn);
    const [order] = await confirmedOrders(event, 1, "unpaid-back");
    await env.service.parts.orm.em
      .fork()
      .transactional((em) => handleCatalogEvent(cancelledEnvelope(event.id, randomUUID()), em));
    // Payments are down: the refund is recorded and the cancellation done, the money not yet asked for.
    env.payment.gateway.settings.errorRate = 1;
    expect(await workOffCancellation(env.service.deps, event.id, work)).to.deep.include({ refunded: 1, isDone: true });
    const em = env.service.parts.orm.em.fork();
    // A bug marks the refund settled without the payment service having paid it.
    await em.nativeUpdate(RefundEntity, { orderId: order?.id ?? "" }, { state: "SUCCEEDED" });
    const books = await reconcileCancellations(env.service.parts.orm, env.payment.client);
    expect(books.discrepancies).to.deep.equal([
      {
        eventId: event.id,
        problem: `the payment service captured ${order?.total?.amountMinor} for its orders and refunded 0`,
      },
    ]);
    // Put right, the follower's round pays it and the books agree again (afterEach).
    await em.nativeUpdate(RefundEntity, { orderId: order?.id ?? "" }, { state: "PENDING" });
    env.payment.gateway.settings.errorRate = 0;
    await settleHere(event.id);
  });

  it("puts a refunded order's floor places back though a crash came between inventory's release and the mark", async () => {
    const event = await publish(env.inventory.catalog, hall, concertIn);
    const who = await buyer("pit-holder");
    const { hold: held } = await env.inventory.client.holdSeats(
      { eventId: event.id, places: [{ sectionId: "pit", quantity: 2 }] },
      { token: who.token },
    );
    const order = await checkoutSettled(env, who, held?.id ?? "");
    expect(order.state).to.equal(OrderState.CONFIRMED);
    await env.service.parts.orm.em
      .fork()
      .transactional((em) => handleCatalogEvent(cancelledEnvelope(event.id, randomUUID()), em));
    // Payments down: the refund is recorded, its money and seats left for later.
    env.payment.gateway.settings.errorRate = 1;
    await workOffCancellation(env.service.deps, event.id, work);
    const em = env.service.parts.orm.em.fork();
    const [refund] = await em.find(RefundEntity, { orderId: order.id });
    // An earlier run's ReleaseSold got through, and the process died before marking it.
    await env.inventory.internal.releaseSold({ eventId: event.id, orderId: order.id });
    env.payment.gateway.settings.errorRate = 0;
    await carryOut(env.service.deps, refund?.id ?? "");
    const after = await env.service.parts.orm.em.fork().findOneOrFail(RefundEntity, { id: refund?.id ?? "" });
    expect(after).to.deep.include({ state: "SUCCEEDED", seatsReleased: true });
    await settleHere(event.id);
  });
});

/** EventCancelled as catalog's relay carries it, under the envelope id `id`. */
function cancelledEnvelope(eventId: string, id: string) {
  return create(EnvelopeSchema, {
    id,
    type: EventCancelledSchema.typeName,
    time: timestampNow(),
    source: "catalog",
    subject: eventId,
    payload: anyPack(EventCancelledSchema, create(EventCancelledSchema, { eventId, reason: "the hall flooded" })),
  });
}

function failed(why: string): never {
  throw new Error(why);
}

/** XINFO's flat [name, value, name, value…] as pairs. */
function chunks(fields: readonly unknown[]): [unknown, unknown][] {
  const pairs: [unknown, unknown][] = [];
  for (let index = 0; index + 1 < fields.length; index += 2) pairs.push([fields[index], fields[index + 1]]);
  return pairs;
}
