import { randomUUID } from "node:crypto";
import { customerToken, freePort, useStarted, waitFor } from "@marquee/mesh/testing";
import { OrderConfirmedSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import {
  type Notification,
  NotificationService,
  NotificationStatus,
} from "@marquee/proto/marquee/notification/v1/notification_pb.js";
import type { Order } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { expect } from "chai";
import { deadNotifications } from "../../src/metrics.js";
import { claimDue, recordNotification } from "../../src/store/notifications.js";
import {
  concert,
  confirmedOrder,
  type MailSink,
  mailsTo,
  nextMailTo,
  publish,
  startMailSink,
  startNotification,
  type TestNotification,
} from "../support/testing.js";

/** A service mailing to a loopback port where no mail server listens yet. */
function useServiceWithoutMailServer(settings: Record<string, string>) {
  return useStarted("a notification service whose mail server is down", async () => {
    const smtpPort = await freePort();
    const notification = await startNotification(`smtp://127.0.0.1:${smtpPort}`, settings);
    const sinks: MailSink[] = [];
    return {
      smtpPort,
      notification,
      sinks,
      async close() {
        await notification.close();
        for (const sink of sinks) await sink.close();
      },
    };
  });
}

async function confirm(notification: TestNotification): Promise<Order> {
  const event = concert(new Date(Math.floor(Date.now() / 1000 + 86_400) * 1000));
  const order = confirmedOrder(event, { ticketCount: 1 });
  notification.upstreams.events.set(event.id, event);
  notification.upstreams.orders.set(order.id, order);
  await publish("ordering", OrderConfirmedSchema, {
    orderId: order.id,
    userId: order.userId,
    eventId: event.id,
    ticketCount: 1,
    contactEmail: order.buyer?.email ?? "",
  });
  return order;
}

/** The buyer's one notification as ListMyNotifications shows it, once `ready` holds for it. */
async function notificationOf(
  notification: TestNotification,
  order: Order,
  what: string,
  ready: (found: Notification) => boolean,
  timeoutMs = 10_000,
): Promise<Notification> {
  const client = await notification.service.client(NotificationService);
  const token = await customerToken(order.userId);
  return await waitFor(
    what,
    async () => {
      const [found] = (await client.listMyNotifications({}, { token })).notifications;
      return found !== undefined && ready(found) ? found : undefined;
    },
    { timeoutMs, intervalMs: 50 },
  );
}

describe("the sender", () => {
  describe("when the mail server is down and comes back", () => {
    const env = useServiceWithoutMailServer({ SEND_MAX_ATTEMPTS: "20" });

    it("retries with backoff and sends the mail once the server is back", async () => {
      const order = await confirm(env.notification);
      const failing = await notificationOf(env.notification, order, "two failed attempts", (n) => n.attemptCount >= 2);
      expect(failing.status).to.equal(NotificationStatus.PENDING);
      expect(failing.failureReason).to.equal("the mail server could not be reached");
      const sink = await startMailSink({ port: env.smtpPort });
      env.sinks.push(sink);
      const mail = await nextMailTo(sink, order.buyer?.email ?? "");
      expect(mail.subject).to.contain("Arnob Live");
      const sent = await notificationOf(env.notification, order, "SENT", (n) => n.status === NotificationStatus.SENT);
      expect(sent.attemptCount).to.be.greaterThan(2);
      expect(sent.failureReason).to.equal("");
      expect(sent.sendTime).to.not.equal(undefined);
      expect(mailsTo(sink, order.buyer?.email ?? "")).to.have.length(1);
    });
  });

  describe("when the mail server stays down", () => {
    const env = useServiceWithoutMailServer({ SEND_MAX_ATTEMPTS: "3" });

    it("gives the notification up after SEND_MAX_ATTEMPTS attempts, counts it, and never sends it", async () => {
      const deadBefore =
        (await deadNotifications.get()).values.find((v) => v.labels.kind === "ORDER_CONFIRMED")?.value ?? 0;
      const order = await confirm(env.notification);
      const dead = await notificationOf(
        env.notification,
        order,
        "FAILED",
        (n) => n.status === NotificationStatus.FAILED,
      );
      expect(dead.attemptCount).to.equal(3);
      expect(dead.failureReason).to.equal("the mail server could not be reached");
      const deadAfter =
        (await deadNotifications.get()).values.find((v) => v.labels.kind === "ORDER_CONFIRMED")?.value ?? 0;
      expect(deadAfter).to.equal(deadBefore + 1);
      // The server comes back: a dead notification stays dead. Many sender rounds (50 ms) pass, and a
      // later mail goes through, so the sender is running.
      const sink = await startMailSink({ port: env.smtpPort });
      env.sinks.push(sink);
      const later = await confirm(env.notification);
      await nextMailTo(sink, later.buyer?.email ?? "");
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(mailsTo(sink, order.buyer?.email ?? "")).to.have.length(0);
      const still = await notificationOf(
        env.notification,
        order,
        "FAILED",
        (n) => n.status === NotificationStatus.FAILED,
      );
      expect(still.attemptCount).to.equal(3);
    });
  });

  describe("when a replica dies holding notifications", () => {
    const env = useStarted("a notification service and its mail sink", async () => {
      const sink = await startMailSink();
      const notification = await startNotification(sink.url, { SEND_LEASE_MS: "400" });
      return {
        sink,
        notification,
        async close() {
          await notification.close();
          await sink.close();
        },
      };
    });

    it("sends them once their lease lapses, once", async () => {
      const event = concert(new Date(Math.floor(Date.now() / 1000 + 86_400) * 1000));
      const order = confirmedOrder(event, { ticketCount: 1 });
      env.notification.upstreams.events.set(event.id, event);
      env.notification.upstreams.orders.set(order.id, order);
      const { orm } = env.notification.service.deps;
      // A replica recorded the notification and claimed it, then died before sending: the lease is all that
      // is left. Recorded and leased in one transaction, so the live sender cannot take it first.
      const claimedAt = Date.now();
      await orm.em.fork().transactional(async (em) => {
        await recordNotification(em, {
          userId: order.userId,
          kind: "ORDER_CONFIRMED",
          sourceEventId: randomUUID(),
          recipient: order.buyer?.email ?? "",
          subject: "Your tickets",
          orderId: order.id,
          eventId: event.id,
        });
        await em.execute(
          `update "notification" set "lease_until" = now() + interval '300 milliseconds' where "order_id" = ?`,
          [order.id],
        );
      });
      expect(await claimDue(orm, 100, 60_000), "nothing due while the lease holds").to.deep.equal([]);
      await nextMailTo(env.sink, order.buyer?.email ?? "");
      expect(Date.now() - claimedAt).to.be.greaterThan(250);
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(mailsTo(env.sink, order.buyer?.email ?? "")).to.have.length(1);
    });
  });
});
