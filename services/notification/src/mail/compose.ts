import { type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type MeshClient } from "@marquee/mesh";
import type { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import type { Event } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import type { Order } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import type { OrderingInternalService } from "@marquee/proto/marquee/ordering/v1/ordering_internal_pb.js";
import type { NotificationRow } from "../store/notifications.js";
import { moneyText, timeText } from "./layout.js";
import type { OutgoingMail } from "./mailer.js";
import { eventCancelledMail, eventUpdatedMail, orderCancelledMail, orderRefundedMail } from "./notices.js";
import { orderConfirmedMail } from "./order-confirmed.js";

/** The upstreams a mail's content comes from. */
export interface Sources {
  readonly ordering: MeshClient<typeof OrderingInternalService>;
  readonly catalog: MeshClient<typeof CatalogService>;
}

/** A notification that can never be sent (its order is gone, it has no address): no point retrying it. */
export class Unsendable extends Error {}

/**
 * Makes the mail of a notification at the time it is sent, from the order and the event as they are then
 * (so a resend after an outage carries the tickets still valid). A failure to reach ordering or catalog
 * fails the attempt like a mail server's, and is retried with the same backoff.
 */
export async function composeMail(row: NotificationRow, sources: Sources): Promise<OutgoingMail> {
  switch (row.kind) {
    case "ORDER_CONFIRMED": {
      const order = await orderOf(row, sources);
      const event = await eventOf(row.eventId ?? order.eventId, sources);
      if (event === undefined) throw new Unsendable(`event ${order.eventId} does not exist`);
      return await orderConfirmedMail(addressOf(row, order), order, event);
    }
    case "ORDER_REFUNDED": {
      const order = await orderOf(row, sources);
      const event = await eventOf(order.eventId, sources);
      return orderRefundedMail(addressOf(row, order), {
        name: order.buyer?.name ?? "",
        orderId: order.id,
        title: event?.title ?? "your event",
        amount: moneyText(row.data.currencyCode ?? "", BigInt(row.data.amountMinor ?? "0")),
        ticketCount: Number(row.data.ticketCount ?? "0"),
      });
    }
    case "ORDER_CANCELLED": {
      const order = await orderOf(row, sources);
      const event = await eventOf(order.eventId, sources);
      return orderCancelledMail(addressOf(row, order), {
        name: order.buyer?.name ?? "",
        orderId: order.id,
        title: event?.title ?? "your event",
        reason: row.data.reason ?? "",
      });
    }
    case "EVENT_CANCELLED": {
      if (row.recipient === "") throw new Unsendable("the buyer gave no email address");
      const event = row.eventId ? await eventOf(row.eventId, sources) : undefined;
      return eventCancelledMail(row.recipient, {
        title: event?.title ?? "An event you hold tickets for",
        reason: row.data.reason ?? "",
      });
    }
    case "EVENT_UPDATED": {
      if (row.recipient === "") throw new Unsendable("the buyer gave no email address");
      const event = row.eventId ? await eventOf(row.eventId, sources) : undefined;
      if (event === undefined) throw new Unsendable(`event ${row.eventId} does not exist`);
      const at = (time: Timestamp | undefined) => (time ? timestampDate(time) : undefined);
      return eventUpdatedMail(row.recipient, {
        title: event.title,
        changedFields: (row.data.changedFields ?? "").split(",").filter((field) => field !== ""),
        startTime: at(event.startTime),
        endTime: at(event.endTime),
        venueName: event.venueName,
        stops: event.stops.map((stop) => {
          const departs = at(stop.departureTime);
          const arrives = at(stop.arrivalTime);
          return `${stop.name}, ${departs ? `departs ${timeText(departs)}` : `arrives ${arrives ? timeText(arrives) : ""}`}`;
        }),
      });
    }
    default:
      // No consumer records the other kinds yet; a row of one (written by hand) can never be sent.
      throw new Unsendable(`there is no mail template for ${row.kind}`);
  }
}

async function orderOf(row: NotificationRow, sources: Sources): Promise<Order> {
  if (row.orderId === null) throw new Unsendable("the notification names no order");
  try {
    const { order } = await sources.ordering.getOrderForNotification({ orderId: row.orderId });
    if (order === undefined) throw new Error("GetOrderForNotification answered without an order");
    return order;
  } catch (error) {
    if (ConnectError.from(error).code === Code.NotFound) throw new Unsendable(`order ${row.orderId} does not exist`);
    throw error;
  }
}

/** The event, or undefined when catalog does not know it (a deleted draft). */
async function eventOf(eventId: string, sources: Sources): Promise<Event | undefined> {
  try {
    return (await sources.catalog.getEvent({ eventId })).event;
  } catch (error) {
    if (ConnectError.from(error).code === Code.NotFound) return undefined;
    throw error;
  }
}

function addressOf(row: NotificationRow, order: Order): string {
  const address = row.recipient || order.buyer?.email || "";
  if (address === "") throw new Unsendable("the buyer gave no email address");
  return address;
}
