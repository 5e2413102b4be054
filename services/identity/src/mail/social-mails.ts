import type { Recipient } from "./account-mails.js";
import type { OutgoingMail } from "./mailer.js";

const providerLabels: Record<string, string> = { google: "Google", apple: "Apple", microsoft: "Microsoft" };

/**
 * After SignInWithSocial made an account: welcome, how the user signed in, and that the account has no
 * password until they set one. No link to confirm the address: the provider vouched for it.
 */
export function socialWelcomeMail(to: Recipient, provider: string, appUrl: string): OutgoingMail {
  const label = providerLabels[provider] ?? provider;
  const paragraphs = [
    `Hello ${to.displayName},`,
    `Welcome to Marquee. You signed in with ${label}, which made your Marquee account for ${to.email}.`,
    `Sign in with ${label} again next time. Your account has no password; to sign in with one too, set it in your profile:`,
    appUrl,
    `If you did not sign in to Marquee with ${label}, tell us by replying to this mail.`,
  ];
  return {
    to: to.email,
    subject: "Welcome to Marquee",
    text: `${paragraphs.join("\n\n")}\n`,
    html: paragraphs.map((paragraph) => `<p>${htmlOf(paragraph)}</p>`).join("\n"),
  };
}

function htmlOf(paragraph: string): string {
  const escaped = paragraph
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
  return /^https?:\/\/\S+$/.test(paragraph) ? `<a href="${escaped}">${escaped}</a>` : escaped;
}
