import { createTransport } from "nodemailer";

/** A file carried by a mail; with `cid`, an image the HTML body shows inline (`<img src="cid:…">`). */
export interface MailAttachment {
  readonly filename: string;
  readonly content: Buffer | string;
  readonly contentType: string;
  readonly cid?: string;
}

/** One mail to one address: both bodies, and what it carries. */
export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly attachments?: readonly MailAttachment[];
}

/** Where and as whom a service's mails go. */
export interface SmtpSenderOptions {
  /** `SMTP_URL`: `smtp://user:pass@host:port`, or `smtps://` for implicit TLS. */
  readonly smtpUrl: string;
  /** `MAIL_FROM`. */
  readonly from: string;
}

/** One attempt per `send`: what to do about a failure (retry, give up, dead-letter) is the caller's. */
export interface SmtpSender {
  /** Resolves when the server accepted the mail; rejects on any failure. `messageId` as `<id@host>`. */
  send(mail: OutgoingMail, options?: { readonly messageId?: string }): Promise<void>;
  /** Closes the SMTP connections. */
  close(): void;
}

/**
 * Sends mails over real SMTP with nodemailer, as every service that mails does (identity's account
 * mails, notification's tickets and notices). nodemailer's defaults wait up to 2 minutes for a connection
 * and 10 for a stalled socket: far longer than a shutdown drains or a sender's lease lasts, so an attempt
 * here ends within 10 s of a silent server and 30 s of a stalled one.
 */
export function createSmtpSender(options: SmtpSenderOptions): SmtpSender {
  const transport = createTransport({
    url: options.smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(mail, { messageId } = {}) {
      await transport.sendMail({
        from: options.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        ...(messageId === undefined ? {} : { messageId }),
        attachments: (mail.attachments ?? []).map((attachment) => ({ ...attachment })),
      });
    },
    close: () => transport.close(),
  };
}
