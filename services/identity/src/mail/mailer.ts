import { setTimeout as sleep } from "node:timers/promises";
import { createSmtpSender, type Logger, type OutgoingMail, type SmtpSender } from "@marquee/mesh";

export type { OutgoingMail };

/** Where and as whom mails go. */
export interface MailerOptions {
  /** `SMTP_URL`: `smtp://user:pass@host:port`, or `smtps://` for implicit TLS. */
  readonly smtpUrl: string;
  /** `MAIL_FROM`. */
  readonly from: string;
  readonly log: Logger;
  /** Pauses before the retries of a failed delivery. @default [1000, 5000] */
  readonly retryDelaysMs?: readonly number[];
}

/**
 * Sends identity's account mails over SMTP (nodemailer) until the notification service takes them over
 * (it will consume UserRegistered and own templates, dedupe and retries). Delivery runs after the RPC has
 * answered, never inside it: an answer must not wait on a mail server, nor take longer when a mail is
 * sent than when none is (RequestPasswordReset says nothing about whether the address has an account). A
 * failed delivery is retried a few times and then logged; the user can ask for the link again. Mails in
 * flight are awaited on shutdown (`drain`).
 */
export class Mailer {
  private readonly smtp: SmtpSender;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly retryDelaysMs: readonly number[];
  /** Aborted by `close`: a mail waiting to be retried is given up rather than holding the shutdown. */
  private readonly closing = new AbortController();

  constructor(private readonly options: MailerOptions) {
    this.smtp = createSmtpSender(options);
    this.retryDelaysMs = options.retryDelaysMs ?? [1000, 5000];
  }

  /** Queues the mail for delivery and returns at once. */
  send(mail: OutgoingMail): void {
    const delivery = this.deliver(mail).finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
  }

  /** Waits for every mail queued so far to be delivered or given up. */
  async drain(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  /** Ends the retries, lets the attempts in progress finish, then closes the SMTP connections. */
  async close(): Promise<void> {
    this.closing.abort();
    await this.drain();
    this.smtp.close();
  }

  private async deliver(mail: OutgoingMail): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.smtp.send(mail);
        return;
      } catch (error) {
        const delay = this.retryDelaysMs[attempt];
        // The address is personal data and the body holds a one-time link: neither goes to the log.
        if (delay !== undefined && !this.closing.signal.aborted) {
          this.options.log.warn({ err: error, subject: mail.subject, retryInMs: delay }, "account mail not delivered");
          await sleep(delay, undefined, { signal: this.closing.signal }).catch(() => undefined);
        }
        if (delay === undefined || this.closing.signal.aborted) {
          this.options.log.error({ err: error, subject: mail.subject }, "account mail not delivered; giving up");
          return;
        }
      }
    }
  }
}
