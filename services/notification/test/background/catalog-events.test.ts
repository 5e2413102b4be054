import { randomUUID } from "node:crypto";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { customerToken, useStarted, waitFor } from "@marquee/mesh/testing";
import type { Event } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import {
  EventCancelledSchema,
  EventUpdatedSchema,
  OrderCancelledSchema,
  OrderConfirmedSchema,
  OrderRefundedSchema,
} from "@marquee/proto/marquee/events/v1/events_pb.js";
import { NotificationKind, NotificationService } from "@marquee/proto/marquee/notification/v1/notification_pb.js";
import { type Order, RefundReason } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { expect } from "chai";
import {
  concert,
  confirmedOrder,
  mailsTo,
  nextMailTo,
  publish,
  startMailSink,
  startNotification,
} from "../support/testing.js";

describe("the catalog events consumer (EventCancelled, EventUpdated)", () => {
  const env = useStarted("a notification service and its mail sink", async () => {
    const sink = await startMailSink();
    const notification = await startNotification(sink.url);
    return {
      sink,
      notification,
      async close() {
        await notification.close();
        await sink.close();
      },
    };
  });

  async function confirm(event: Event, order: Order): Promise<void> {
    env.notification.upstreams.events.set(event.id, event);
    env.notification.upstreams.orders.set(order.id, order);
    await publish("ordering", OrderConfirmedSchema, {
      orderId: order.id,
      userId: order.userId,
      eventId: event.id,
      ticketCount: order.tickets.length,
      contactEmail: order.buyer?.email ?? "",
    });
    await nextMailTo(env.sink, order.buyer?.email ?? "");
  }

  /** Confirms an order of a new event and waits for its mail: every mail recorded before it went out. */
  async function marker(): Promise<void> {
    const event = concert(new Date(Math.floor(Date.now() / 1000 + 86_400) * 1000));
    await confirm(event, confirmedOrder(event));
  }

  const cancelled = (address: string) =>
    mailsTo(env.sink, address).filter((mail) => mail.subject.startsWith("Cancelled:"));

  it("tells every buyer of the event once — not one who cancelled before — and a buyer confirmed after it too", async () => {
    const event = concert(new Date(Math.floor(Date.now() / 1000 + 86_400) * 1000));
    const [first, second, quitter] = [confirmedOrder(event), confirmedOrder(event), confirmedOrder(event)];
    if (!first || !second || !quitter) throw new Error("unreachable");
    // The first buyer bought twice, with the same address: one notice for them.
    const again = confirmedOrder(event, { userId: first.userId, email: first.buyer?.email ?? "" });
    for (const order of [first, second, quitter]) await confirm(event, order);
    env.notification.upstreams.orders.set(again.id, again);
    await publish("ordering", OrderConfirmedSchema, {
      orderId: again.id,
      userId: again.userId,
      eventId: event.id,
      ticketCount: 2,
      contactEmail: again.buyer?.email ?? "",
    });
    await publish("ordering", OrderCancelledSchema, {
      orderId: quitter.id,
      userId: quitter.userId,
      eventId: event.id,
      reason: "buyer cancelled",
    });
    await waitFor("the quitter's cancellation mail", () => mailsTo(env.sink, quitter.buyer?.email ?? "").length === 2, {
      timeoutMs: 15_000,
    });
    await waitFor("the second order's mail", () => mailsTo(env.sink, first.buyer?.email ?? "").length === 2, {
      timeoutMs: 15_000,
    });
    await publish("catalog", EventCancelledSchema, { eventId: event.id, reason: "the singer is ill" });
    for (const order of [first, second]) {
      const address = order.buyer?.email ?? "";
      await waitFor(`the notice to ${address}`, () => cancelled(address).length > 0, { timeoutMs: 15_000 });
      expect(cancelled(address)[0]?.text).to.contain("the singer is ill");
      expect(cancelled(address)[0]?.subject).to.contain("Arnob Live");
    }
    // An order whose confirmation comes after the cancellation was handled: its buyer is told too.
    const late = confirmedOrder(event);
    await confirm(event, late);
    await waitFor("the late buyer's notice", () => cancelled(late.buyer?.email ?? "").length > 0, {
      timeoutMs: 15_000,
    });
    await marker();
    expect(cancelled(first.buyer?.email ?? "")).to.have.length(1);
    expect(cancelled(second.buyer?.email ?? "")).to.have.length(1);
    expect(cancelled(quitter.buyer?.email ?? "")).to.have.length(0);
    expect(cancelled(late.buyer?.email ?? "")).to.have.length(1);
    const client = await env.notification.service.client(NotificationService);
    const { notifications } = await client.listMyNotifications(
      { kind: NotificationKind.EVENT_CANCELLED },
      { token: await customerToken(first.userId) },
    );
    expect(notifications.map((n) => n.eventId)).to.deep.equal([event.id]);
  });

  it("tells a holder once when the event is cancelled: its refunds send no mail of their own", async () => {
    const event = concert(new Date(Math.floor(Date.now() / 1000 + 86_400) * 1000));
    const order = confirmedOrder(event);
    const address = order.buyer?.email ?? "";
    await confirm(event, order);
    await publish("catalog", EventCancelledSchema, { eventId: event.id, reason: "the hall flooded" });
    // Ordering refunds the order for the cancellation; an organizer's refund of another order still mails.
    const refundOf = (refunded: Order, reason: RefundReason) =>
      publish("ordering", OrderRefundedSchema, {
        orderId: refunded.id,
        userId: refunded.userId,
        eventId: event.id,
        refundId: randomUUID(),
        amount: { currencyCode: "BDT", amountMinor: 250_000n },
        ticketIds: refunded.tickets.map((ticket) => ticket.id),
        reason,
      });
    await refundOf(order, RefundReason.EVENT_CANCELLED);
    await waitFor("the cancellation notice", () => cancelled(address).length > 0, { timeoutMs: 15_000 });
    const other = confirmedOrder(event);
    await confirm(event, other);
    await refundOf(other, RefundReason.REQUESTED_BY_BUYER);
    await waitFor("the other buyer's refund mail", () => mailsTo(env.sink, other.buyer?.email ?? "").length === 3, {
      timeoutMs: 15_000,
    });
    await marker();
    // The tickets mail and the cancellation notice, which says the money comes back; no refund mail.
    expect(mailsTo(env.sink, address).map((mail) => mail.subject)).to.deep.equal([
      "Your tickets: Arnob Live — Dhaka",
      "Cancelled: Arnob Live — Dhaka",
    ]);
    expect(cancelled(address)[0]?.text).to.contain("refunded in full").and.contain("only mail");
    expect(mailsTo(env.sink, other.buyer?.email ?? "").map((mail) => mail.subject)).to.include(
      "Refund for your order: Arnob Live — Dhaka",
    );
  });

  it("tells each holder once of a change to when or where: a redelivered update and a new description tell nobody", async () => {
    const start = new Date(Math.floor(Date.now() / 1000 + 86_400) * 1000);
    const event = concert(start);
    const holder = confirmedOrder(event);
    const quitter = confirmedOrder(event);
    // The holder bought twice: one notice for them.
    const again = confirmedOrder(event, { userId: holder.userId, email: holder.buyer?.email ?? "" });
    for (const order of [holder, again, quitter]) await confirm(event, order);
    await publish("ordering", OrderCancelledSchema, {
      orderId: quitter.id,
      userId: quitter.userId,
      eventId: event.id,
      reason: "buyer cancelled",
    });
    await waitFor("the quitter's cancellation mail", () => mailsTo(env.sink, quitter.buyer?.email ?? "").length === 2, {
      timeoutMs: 15_000,
    });
    const later = new Date(start.getTime() + 2 * 3600_000);
    event.startTime = timestampFromDate(later);
    const summary = { eventId: event.id, title: event.title, startTime: timestampFromDate(later) };
    const updateId = await publish("catalog", EventUpdatedSchema, { event: summary, changedFields: ["start_time"] });
    await publish("catalog", EventUpdatedSchema, { event: summary, changedFields: ["start_time"] }, updateId);
    await publish("catalog", EventUpdatedSchema, { event: summary, changedFields: ["description", "price_tiers"] });
    const changed = (address: string) =>
      mailsTo(env.sink, address).filter((mail) => mail.subject.startsWith("Changed:"));
    const address = holder.buyer?.email ?? "";
    await waitFor("the holder's notice", () => changed(address).length > 0, { timeoutMs: 15_000 });
    await marker();
    expect(changed(address)).to.have.length(1);
    expect(changed(address)[0]?.subject).to.equal("Changed: Arnob Live — Dhaka");
    expect(changed(address)[0]?.text).to.contain("It now starts at").and.contain("Your tickets stay valid");
    expect(changed(quitter.buyer?.email ?? "")).to.have.length(0);
  });

  it("tells nobody when the event had no buyers", async () => {
    const eventId = randomUUID();
    const before = env.sink.mails.length;
    await publish("catalog", EventCancelledSchema, { eventId, reason: "no sales" });
    await marker();
    expect(env.sink.mails.length).to.equal(before + 1);
  });
});
