import type { OutgoingMail } from "./mailer.js";

/** Who a mail is for: the account's address and name. */
export interface Recipient {
  readonly email: string;
  readonly displayName: string;
}

/**
 * The link a mail carries: the web app's page with the one-time token in the fragment (`#token=…`).
 * A fragment is never sent to a server, so the token stays out of access logs, proxies and Referer
 * headers; the page reads it and calls VerifyEmail or ResetPassword.
 */
export function linkTo(appUrl: string, page: "verify-email" | "reset-password", token: string): string {
  const url = new URL(page, appUrl.endsWith("/") ? appUrl : `${appUrl}/`);
  url.hash = new URLSearchParams({ token }).toString();
  return url.toString();
}

/** After Register and SendVerificationEmail: welcome, and confirm the address. */
export function verificationMail(to: Recipient, link: string, expireTime: Date): OutgoingMail {
  return mail(to, "Confirm your email address for Marquee", [
    `Hello ${to.displayName},`,
    "Welcome to Marquee. Please confirm that this is your email address by opening this link:",
    link,
    `The link works once, until ${expireTime.toUTCString()}.`,
    "If you did not create a Marquee account, ignore this mail.",
  ]);
}

/** After RequestPasswordReset for an address with an account. */
export function passwordResetMail(to: Recipient, link: string, expireTime: Date): OutgoingMail {
  return mail(to, "Reset your Marquee password", [
    `Hello ${to.displayName},`,
    "Someone asked to reset the password of your Marquee account. To choose a new one, open this link:",
    link,
    `The link works once, until ${expireTime.toUTCString()}. Setting a new password signs you out everywhere.`,
    "If it was not you, ignore this mail: your password stays as it is.",
  ]);
}

function mail(to: Recipient, subject: string, paragraphs: readonly string[]): OutgoingMail {
  return {
    to: to.email,
    subject,
    text: `${paragraphs.join("\n\n")}\n`,
    html: paragraphs.map((paragraph) => `<p>${htmlOf(paragraph)}</p>`).join("\n"),
  };
}

/** A paragraph as HTML: escaped (a display name is the user's text), its link made clickable. */
function htmlOf(paragraph: string): string {
  const escaped = paragraph
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
  return /^https?:\/\/\S+$/.test(paragraph) ? `<a href="${escaped}">${escaped}</a>` : escaped;
}
