import { createSmtpSender, type OutgoingMail, type SmtpSender, type SmtpSenderOptions } from "@marquee/mesh";

export type { MailAttachment, OutgoingMail } from "@marquee/mesh";

/**
 * Sends one notification's mail, one attempt per call: the retries, their backoff and the dead letter
 * belong to the sender (`background/sender.ts`), which keeps them in the notification's row so they
 * survive a restart. Each mail's Message-ID is derived from its notification id, so in the one case a
 * mail can go twice — the process dies after the server accepted it and before the row says SENT — the
 * second copy has the same Message-ID, which mail providers and clients fold into one.
 */
export class Mailer {
  private readonly smtp: SmtpSender;

  constructor(options: SmtpSenderOptions) {
    this.smtp = createSmtpSender(options);
  }

  /** Sends the mail; resolves when the server accepted it, rejects on any failure. */
  send(notificationId: string, mail: OutgoingMail): Promise<void> {
    return this.smtp.send(mail, { messageId: `<${notificationId}@notification.marquee>` });
  }

  close(): void {
    this.smtp.close();
  }
}
