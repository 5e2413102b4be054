import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { anyPack, timestampNow } from "@bufbuild/protobuf/wkt";
import { customerToken, useStarted, waitFor } from "@marquee/mesh/testing";
import type { Event } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { EnvelopeSchema } from "@marquee/proto/marquee/events/v1/envelope_pb.js";
import { OrderConfirmedSchema, OrderRefundedSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import { NotificationService, NotificationStatus } from "@marquee/proto/marquee/notification/v1/notification_pb.js";
import type { Order } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { expect } from "chai";
import { handleOrderEvent } from "../../src/background/order-events.js";
import { qrContentId, qrPng } from "../../src/mail/order-confirmed.js";
import {
  coach,
  concert,
  confirmedOrder,
  icsProperty,
  icsStamp,
  mailsTo,
  nextMailTo,
  publish,
  startMailSink,
  startNotification,
} from "../support/testing.js";

/** Whole seconds, as iCalendar keeps them: a week from now. */
function nextWeek(): Date {
  return new Date(Math.floor((Date.now() + 7 * 86_400_000) / 1000) * 1000);
}

describe("the OrderConfirmed consumer", () => {
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

  /** Puts the order and its event where the stubs answer them, then publishes its OrderConfirmed. */
  async function confirm(event: Event, order: Order, envelopeId?: string): Promise<string> {
    env.notification.upstreams.events.set(event.id, event);
    env.notification.upstreams.orders.set(order.id, order);
    return await publish(
      "ordering",
      OrderConfirmedSchema,
      {
        orderId: order.id,
        userId: order.userId,
        eventId: event.id,
        ticketCount: order.tickets.length,
        total: order.total,
        contactEmail: order.buyer?.email ?? "",
      },
      envelopeId,
    );
  }

  it("mails the buyer one mail with each ticket's QR code inline and an .ics starting at the event's start", async () => {
    const start = nextWeek();
    const event = concert(start);
    const order = confirmedOrder(event, { ticketCount: 3 });
    await confirm(event, order);
    const mail = await nextMailTo(env.sink, order.buyer?.email ?? "");
    expect(mail.subject).to.contain("Arnob Live");
    expect(mail.text).to.contain(order.id);
    const images = mail.attachments.filter((attachment) => attachment.contentType === "image/png");
    expect(images).to.have.length(3);
    for (const ticket of order.tickets) {
      const image = images.find((attachment) => attachment.cid === qrContentId(ticket.id));
      expect(image, `the QR image of ticket ${ticket.id}`).to.not.equal(undefined);
      // qrcode encodes deterministically: the same bytes are the same payload.
      expect(image?.content.equals(await qrPng(ticket.qrPayload))).to.equal(true);
      expect(mail.html).to.contain(`cid:${qrContentId(ticket.id)}`);
    }
    const ics = mail.attachments.find((attachment) => attachment.filename === "event.ics");
    expect(ics?.contentType).to.equal("text/calendar");
    const calendar = ics?.content.toString("utf8") ?? "";
    expect(icsProperty(calendar, "DTSTART")).to.equal(icsStamp(start));
    expect(icsProperty(calendar, "LOCATION")).to.contain("Shilpakala Hall");
    await waitFor("one mail in all", () => mailsTo(env.sink, order.buyer?.email ?? "").length === 1);
  });

  it("gives a trip's calendar entry the ride's departure from its boarding stop", async () => {
    const start = nextWeek();
    const trip = coach(start);
    const order = confirmedOrder(trip, {
      ticketCount: 1,
      ride: { boardingStopId: "jessore", alightingStopId: "kolkata" },
    });
    await confirm(trip, order);
    const mail = await nextMailTo(env.sink, order.buyer?.email ?? "");
    const calendar =
      mail.attachments.find((attachment) => attachment.filename === "event.ics")?.content.toString() ?? "";
    expect(icsProperty(calendar, "DTSTART")).to.equal(icsStamp(new Date(start.getTime() + 3 * 3600_000)));
    expect(icsProperty(calendar, "LOCATION")).to.contain("Jessore Bus Stand");
    expect(mail.text).to.contain("Board at: Jessore Bus Stand");
  });

  it("mails once when the same event is delivered twice", async () => {
    const event = concert(nextWeek());
    const order = confirmedOrder(event);
    const envelopeId = randomUUID();
    await confirm(event, order, envelopeId);
    await confirm(event, order, envelopeId);
    await nextMailTo(env.sink, order.buyer?.email ?? "");
    // The stream is read in order: once a later order's mail is here, both deliveries were handled.
    const later = confirmedOrder(event);
    await confirm(event, later);
    await nextMailTo(env.sink, later.buyer?.email ?? "");
    expect(mailsTo(env.sink, order.buyer?.email ?? "")).to.have.length(1);
  });

  it("records nothing new for an event handled again past the inbox, so a sent mail is not sent again", async () => {
    const event = concert(nextWeek());
    const order = confirmedOrder(event);
    const envelopeId = await confirm(event, order);
    await nextMailTo(env.sink, order.buyer?.email ?? "");
    // As if the inbox had lost the entry: the handler runs again for the same envelope.
    const envelope = create(EnvelopeSchema, {
      id: envelopeId,
      type: OrderConfirmedSchema.typeName,
      time: timestampNow(),
      payload: anyPack(
        OrderConfirmedSchema,
        create(OrderConfirmedSchema, {
          orderId: order.id,
          userId: order.userId,
          eventId: event.id,
          ticketCount: 2,
          contactEmail: order.buyer?.email ?? "",
        }),
      ),
    });
    await env.notification.service.deps.orm.em.fork().transactional((em) => handleOrderEvent(envelope, em));
    const later = confirmedOrder(event);
    await confirm(event, later);
    await nextMailTo(env.sink, later.buyer?.email ?? "");
    expect(mailsTo(env.sink, order.buyer?.email ?? "")).to.have.length(1);
  });

  it("lists the mail in ListMyNotifications for its buyer only", async () => {
    const event = concert(nextWeek());
    const order = confirmedOrder(event);
    await confirm(event, order);
    await nextMailTo(env.sink, order.buyer?.email ?? "");
    const client = await env.notification.service.client(NotificationService);
    const mine = await waitFor("the notification SENT", async () => {
      const { notifications } = await client.listMyNotifications({}, { token: await customerToken(order.userId) });
      return notifications[0]?.status === NotificationStatus.SENT ? notifications : undefined;
    });
    expect(mine).to.have.length(1);
    expect(mine[0]?.orderId).to.equal(order.id);
    expect(mine[0]?.recipient).to.equal(order.buyer?.email);
    expect(mine[0]?.subject).to.contain("Arnob Live");
    expect(mine[0]?.attemptCount).to.equal(1);
    const others = await client.listMyNotifications({}, { token: await customerToken(randomUUID()) });
    expect(others.notifications).to.deep.equal([]);
  });

  it("tells the buyer of a refund, with the amount, at the order's address", async () => {
    const event = concert(nextWeek());
    const order = confirmedOrder(event, { ticketCount: 2 });
    await confirm(event, order);
    await nextMailTo(env.sink, order.buyer?.email ?? "");
    await publish("ordering", OrderRefundedSchema, {
      orderId: order.id,
      userId: order.userId,
      eventId: event.id,
      refundId: randomUUID(),
      amount: { currencyCode: "BDT", amountMinor: 125_050n },
      ticketIds: [order.tickets[0]?.id ?? ""],
    });
    await waitFor("the refund mail", () => mailsTo(env.sink, order.buyer?.email ?? "").length === 2, {
      timeoutMs: 15_000,
    });
    const refund = mailsTo(env.sink, order.buyer?.email ?? "")[1];
    expect(refund?.subject).to.equal("Refund for your order: Arnob Live — Dhaka");
    expect(refund?.text).to.contain("BDT 1,250.50");
    expect(refund?.text).to.contain("One ticket of the order no longer admits.");
  });
});
