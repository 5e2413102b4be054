import { randomUUID } from "node:crypto";
import { customerToken, useStarted, waitFor } from "@marquee/mesh/testing";
import { OrderConfirmedSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import { NotificationKind, NotificationService } from "@marquee/proto/marquee/notification/v1/notification_pb.js";
import { expect } from "chai";
import { recordNotification } from "../../src/store/notifications.js";
import {
  concert,
  confirmedOrder,
  mailsTo,
  nextMailTo,
  publish,
  startMailSink,
  startNotification,
} from "../support/testing.js";

const required = [
  NotificationKind.ORDER_CONFIRMED,
  NotificationKind.ORDER_CANCELLED,
  NotificationKind.ORDER_REFUNDED,
  NotificationKind.EVENT_CANCELLED,
];

describe("notification preferences where notifications are recorded", () => {
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

  /** Records a PAYMENT_FAILED for the user as a consumer would; whether a row was added. */
  async function recordPaymentFailed(userId: string, email: string): Promise<boolean> {
    return await env.notification.service.deps.orm.em.fork().transactional(
      async (em) =>
        await recordNotification(em, {
          userId,
          kind: "PAYMENT_FAILED",
          sourceEventId: randomUUID(),
          recipient: email,
          subject: "Your payment failed",
          orderId: randomUUID(),
        }),
    );
  }

  it("does not mail a kind the user turned off, while a required kind is still mailed", async () => {
    const event = concert(new Date(Math.floor(Date.now() / 1000 + 86_400) * 1000));
    const order = confirmedOrder(event, { ticketCount: 1 });
    const email = order.buyer?.email ?? "";
    const token = await customerToken(order.userId);
    const client = await env.notification.service.client(NotificationService);
    // Only what cannot be turned off: PAYMENT_FAILED (and every other optional kind) is off.
    await client.updateNotificationPreferences(
      { preferences: { emailKinds: required }, updateMask: { paths: ["email_kinds"] } },
      { token },
    );

    expect(await recordPaymentFailed(order.userId, email)).to.equal(false);
    env.notification.upstreams.events.set(event.id, event);
    env.notification.upstreams.orders.set(order.id, order);
    await publish("ordering", OrderConfirmedSchema, {
      orderId: order.id,
      userId: order.userId,
      eventId: event.id,
      ticketCount: 1,
      contactEmail: email,
    });

    const mail = await nextMailTo(env.sink, email);
    expect(mail.subject).to.contain(event.title);
    const listed = await waitFor("the confirmation listed", async () => {
      const { notifications } = await client.listMyNotifications({}, { token });
      return notifications.length > 0 ? notifications : undefined;
    });
    expect(listed.map((found) => found.kind)).to.deep.equal([NotificationKind.ORDER_CONFIRMED]);
    expect(mailsTo(env.sink, email)).to.have.length(1);
  });

  it("records the same kind for a user who kept the defaults", async () => {
    const userId = randomUUID();
    expect(await recordPaymentFailed(userId, `buyer-${userId.slice(0, 8)}@example.com`)).to.equal(true);
    const token = await customerToken(userId);
    const client = await env.notification.service.client(NotificationService);
    const { notifications } = await client.listMyNotifications({}, { token });
    expect(notifications.map((found) => found.kind)).to.deep.equal([NotificationKind.PAYMENT_FAILED]);
  });
});
