import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Event } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import type { Order } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { TicketState } from "@marquee/proto/marquee/ordering/v1/ticket_pb.js";
import QRCode from "qrcode";
import { calendarFile } from "./calendar.js";
import { escapeHtml, htmlOf, moneyText, textOf, timeText } from "./layout.js";
import type { MailAttachment, OutgoingMail } from "./mailer.js";

/** When and where the buyer must be: the event, or for a trip the ride's boarding stop and time. */
export interface Itinerary {
  readonly title: string;
  readonly location: string;
  readonly start: Date;
  readonly end: Date;
  /** The lines of the mail that say it. */
  readonly lines: readonly string[];
}

/**
 * The itinerary of an order: an event's venue and times, or a trip ride's departure from its boarding
 * stop and arrival at its alighting stop (the whole route when the order names no ride).
 */
export function itineraryOf(order: Order, event: Event): Itinerary {
  const eventStart = event.startTime ? timestampDate(event.startTime) : new Date(0);
  const eventEnd = event.endTime ? timestampDate(event.endTime) : eventStart;
  if (event.stops.length === 0) {
    const location = [event.venueName, event.city].filter((part) => part !== "").join(", ");
    return {
      title: event.title,
      location,
      start: eventStart,
      end: eventEnd,
      lines: [`${event.title}`, `Where: ${location}`, `When: ${timeText(eventStart)} to ${timeText(eventEnd)}`],
    };
  }
  const boarding = event.stops.find((stop) => stop.id === order.ride?.boardingStopId) ?? event.stops[0];
  const alighting = event.stops.find((stop) => stop.id === order.ride?.alightingStopId) ?? event.stops.at(-1);
  const departure = boarding?.departureTime ? timestampDate(boarding.departureTime) : eventStart;
  const arrival = alighting?.arrivalTime ? timestampDate(alighting.arrivalTime) : eventEnd;
  const boardingPlace = [boarding?.name, boarding?.city].filter(Boolean).join(", ");
  const alightingPlace = [alighting?.name, alighting?.city].filter(Boolean).join(", ");
  return {
    title: `${event.title}: ${boarding?.city ?? ""} → ${alighting?.city ?? ""}`,
    location: boardingPlace,
    start: departure,
    end: arrival,
    lines: [
      event.title,
      `Board at: ${boardingPlace}, departing ${timeText(departure)}`,
      `Get off at: ${alightingPlace}, arriving ${timeText(arrival)}`,
    ],
  };
}

/** The content id of a ticket's QR image, which the HTML body shows inline. */
export function qrContentId(ticketId: string): string {
  return `qr-${ticketId}@marquee`;
}

/** A QR payload as the PNG the mail carries: fixed options, so the same payload always makes the same image. */
export async function qrPng(payload: string): Promise<Buffer> {
  return await QRCode.toBuffer(payload, { type: "png", errorCorrectionLevel: "M", margin: 2, width: 280 });
}

/**
 * The confirmation of a paid order: the itinerary, the total, one inline QR image per valid ticket (the
 * payload the door scans with VerifyTicket) with its seat and holder, and an .ics calendar entry.
 */
export async function orderConfirmedMail(to: string, order: Order, event: Event): Promise<OutgoingMail> {
  const itinerary = itineraryOf(order, event);
  const tickets = order.tickets.filter(
    (ticket) => ticket.qrPayload !== "" && (ticket.state === TicketState.ISSUED || ticket.state === TicketState.USED),
  );
  const subject = `Your tickets: ${itinerary.title}`;
  const total = order.total ? moneyText(order.total.currencyCode, order.total.amountMinor) : "";
  const name = order.buyer?.name ?? "";
  const paragraphs = [
    `Hello ${name},`.replace(" ,", ","),
    `Thank you for your order ${order.id}. It is confirmed and paid${total ? ` (${total})` : ""}.`,
    itinerary.lines.join("\n"),
    `Your ${tickets.length === 1 ? "ticket is" : `${tickets.length} tickets are`} below: show the QR code at the door. The calendar entry is attached.`,
    ...tickets.map((ticket, index) =>
      [
        `Ticket ${index + 1}: ${ticket.seatLabel || ticket.sectionName}`,
        ticket.attendeeName ? `For: ${ticket.attendeeName}` : "",
        `Ticket id: ${ticket.id}`,
      ]
        .filter(Boolean)
        .join("\n"),
    ),
  ];
  const attachments: MailAttachment[] = [];
  const images: string[] = [];
  for (const [index, ticket] of tickets.entries()) {
    const cid = qrContentId(ticket.id);
    attachments.push({
      filename: `ticket-${index + 1}.png`,
      content: await qrPng(ticket.qrPayload),
      contentType: "image/png",
      cid,
    });
    const label = escapeHtml(`Ticket ${index + 1}: ${ticket.seatLabel || ticket.sectionName}`);
    images.push(
      `<figure><img src="cid:${cid}" alt="QR code of ${label}" width="280" height="280"><figcaption>${label}</figcaption></figure>`,
    );
  }
  attachments.push({
    filename: "event.ics",
    content: calendarFile({
      uid: `${order.id}@marquee`,
      summary: itinerary.title,
      description: `Marquee order ${order.id}, ${tickets.length} ticket(s).`,
      location: itinerary.location,
      start: itinerary.start,
      end: itinerary.end,
    }),
    contentType: "text/calendar; charset=utf-8; method=PUBLISH",
  });
  return { to, subject, text: textOf(paragraphs), html: htmlOf(paragraphs, images.join("\n")), attachments };
}
