import { htmlOf, textOf } from "./layout.js";
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
    "Your tickets no longer admit. You will be refunded in full to the card you paid with, and receive a separate mail when the refund is made.",
  ]);
}

function notice(to: string, subject: string, paragraphs: readonly string[]): OutgoingMail {
  const kept = paragraphs.filter((paragraph) => paragraph !== "");
  return { to, subject, text: textOf(kept), html: htmlOf(kept) };
}
