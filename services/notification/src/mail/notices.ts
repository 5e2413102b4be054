import { htmlOf, textOf, timeText } from "./layout.js";
import type { OutgoingMail } from "./mailer.js";

/** After OrderRefunded: how much goes back, for which tickets. */
export function orderRefundedMail(
  to: string,
  fields: { name: string; orderId: string; title: string; amount: string; ticketCount: number },
): OutgoingMail {
  return notice(to, `Refund for your order: ${fields.title}`, [
    `Hello ${fields.name},`.replace(" ,", ","),
    `We are refunding ${fields.amount} for your order ${fields.orderId} (${fields.title}) to the card you paid with.`,
    fields.ticketCount > 0
      ? `${fields.ticketCount === 1 ? "One ticket" : `${fields.ticketCount} tickets`} of the order no longer admit${fields.ticketCount === 1 ? "s" : ""}.`
      : "",
    "The money usually reaches your account within a few working days.",
  ]);
}

/** After OrderCancelled. */
export function orderCancelledMail(
  to: string,
  fields: { name: string; orderId: string; title: string; reason: string },
): OutgoingMail {
  return notice(to, `Your order was cancelled: ${fields.title}`, [
    `Hello ${fields.name},`.replace(" ,", ","),
    `Your order ${fields.orderId} (${fields.title}) was cancelled${fields.reason ? `: ${fields.reason}` : "."}`,
    "Its tickets no longer admit. Any refund due is on its way to the card you paid with.",
  ]);
}

/** After EventCancelled, to each buyer of the event. */
export function eventCancelledMail(to: string, fields: { title: string; reason: string }): OutgoingMail {
  return notice(to, `Cancelled: ${fields.title}`, [
    "Hello,",
    `We are sorry: ${fields.title} has been cancelled by its organizer${fields.reason ? `. The reason given: ${fields.reason}` : "."}`,
    // The one mail of a cancellation: the refunds it causes send none of their own (see order-events.ts).
    "Your tickets no longer admit. Everything you paid for them, tickets and fees, is being refunded in full to the card you paid with; it usually reaches your account within a few working days. This is the only mail you will receive about it.",
  ]);
}

/** What an update changed, as a holder reads it: the event's details as they are now. */
export interface EventChanges {
  readonly title: string;
  readonly changedFields: readonly string[];
  readonly startTime: Date | undefined;
  readonly endTime: Date | undefined;
  readonly venueName: string;
  /** A trip's stops with their times, in route order ("Jessore Bus Stand, departs …"). */
  readonly stops: readonly string[];
}

/** After EventUpdated, to each holder of the event: what changed, as it is now. */
export function eventUpdatedMail(to: string, changes: EventChanges): OutgoingMail {
  const has = (field: string) => changes.changedFields.includes(field);
  return notice(to, `Changed: ${changes.title}`, [
    "Hello,",
    `The organizer has changed ${changes.title}, which you hold tickets for. Your tickets stay valid.`,
    has("title") ? `It is now called ${changes.title}.` : "",
    has("start_time") && changes.startTime ? `It now starts at ${timeText(changes.startTime)}.` : "",
    has("end_time") && changes.endTime ? `It now ends at ${timeText(changes.endTime)}.` : "",
    has("venue_id") ? `It now takes place at ${changes.venueName}.` : "",
    has("stops") && changes.stops.length > 0 ? `The stops are now: ${changes.stops.join("; ")}.` : "",
  ]);
}

function notice(to: string, subject: string, paragraphs: readonly string[]): OutgoingMail {
  const kept = paragraphs.filter((paragraph) => paragraph !== "");
  return { to, subject, text: textOf(kept), html: htmlOf(kept) };
}
