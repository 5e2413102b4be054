import { type ReceivedMail, startMailSink as startLocalMailSink } from "@marquee/mesh/local";
import { waitFor } from "@marquee/mesh/testing";

export type { ReceivedMail } from "@marquee/mesh/local";

/** The mesh's local SMTP sink, with a way for a test to wait for the mail it expects. */
export interface MailSink {
  /** `smtp://127.0.0.1:<port>`: the `SMTP_URL` to send to it. */
  readonly url: string;
  /** Every mail received so far, oldest first. */
  readonly mails: readonly ReceivedMail[];
  /** The first mail to `address` (case-insensitively) whose subject matches, waiting up to 10 s for it. */
  nextMailTo(address: string, subject?: RegExp): Promise<ReceivedMail>;
  close(): Promise<void>;
}

/**
 * A sink on a free loopback port. Tests read the links identity mails from it; `nextMailTo` consumes the
 * mail it returns, so a test waiting for a second mail to the same address gets the second.
 */
export async function startMailSink(): Promise<MailSink> {
  const sink = await startLocalMailSink();
  const taken = new Set<ReceivedMail>();
  return {
    url: sink.url,
    mails: sink.mails,
    async nextMailTo(address, subject = /./) {
      const wanted = address.toLowerCase();
      const mail = await waitFor(
        `a mail to ${address} about ${subject}`,
        () =>
          sink.mails.find(
            (received) =>
              !taken.has(received) &&
              received.to.some((to) => to.toLowerCase() === wanted) &&
              subject.test(received.subject),
          ),
        { timeoutMs: 10_000 },
      );
      taken.add(mail);
      return mail;
    },
    close: () => sink.close(),
  };
}

/** The one-time token of a link from identity's mails (`…/verify-email#token=…`). */
export function tokenOfLink(link: string): string {
  const token = new URLSearchParams(new URL(link).hash.slice(1)).get("token");
  if (token === null) throw new Error(`no token in the link ${link}`);
  return token;
}
