import { createTransport } from "nodemailer";

/** A file carried by a mail; with `cid`, an image the HTML body shows inline (`<img src="cid:…">`). */
export interface MailAttachment {
  readonly filename: string;
  readonly content: Buffer | string;
  readonly contentType: string;
  readonly cid?: string;
}

/** One mail to one address, as the templates make it. */
export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly attachments?: readonly MailAttachment[];
}

/** Where and as whom mails go. */
export interface MailerOptions {
  /** `SMTP_URL`. */
  readonly smtpUrl: string;
  /** `MAIL_FROM`. */
  readonly from: string;
}

/**
 * Sends mails over SMTP with nodemailer, one attempt per call: the retries, their backoff and the dead
 * letter belong to the sender (`background/sender.ts`), which keeps them in the notification's row so
 * they survive a restart. Each mail's Message-ID is derived from its notification id, so in the one case
 * a mail can go twice — the process dies after the server accepted it and before the row says SENT — the
 * second copy has the same Message-ID, which mail providers and clients fold into one.
 */
export class Mailer {
  private readonly transport;

  constructor(private readonly options: MailerOptions) {
    // nodemailer's defaults wait up to 2 minutes for a connection and 10 for a stalled socket: a failed
    // attempt should end well within the sender's lease (SEND_LEASE_MS) and be retried with backoff.
    this.transport = createTransport({
      url: options.smtpUrl,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  /** Sends the mail; resolves when the server accepted it, rejects on any failure. */
  async send(notificationId: string, mail: OutgoingMail): Promise<void> {
    await this.transport.sendMail({
      from: this.options.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: `<${notificationId}@notification.marquee>`,
      attachments: (mail.attachments ?? []).map((attachment) => ({ ...attachment })),
    });
  }

  close(): void {
    this.transport.close();
  }
}
