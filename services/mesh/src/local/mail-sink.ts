import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/** A mail the sink received, parsed. */
export interface ReceivedMail {
  readonly to: readonly string[];
  readonly from: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Every http(s) link of the text part, in order. */
  readonly links: readonly string[];
  /** The message as it arrived (RFC 5322), for a developer to open in a mail client. */
  readonly raw: Buffer;
}

/** A real SMTP server on loopback that keeps what it receives; see {@link startMailSink}. */
export interface MailSink {
  /** `smtp://127.0.0.1:<port>`: the `SMTP_URL` to send to it. */
  readonly url: string;
  /** Every mail received so far, oldest first. */
  readonly mails: readonly ReceivedMail[];
  close(): Promise<void>;
}

export interface MailSinkOptions {
  /** The port to listen on; 0 (the default) takes a free one. */
  readonly port?: number;
  /** Called with each mail once it is parsed: the launcher logs it and writes it to a file. */
  readonly onMail?: (mail: ReceivedMail) => void | Promise<void>;
}

/**
 * An SMTP sink (`smtp-server`, parsed by `mailparser`) standing in for a mail provider on a developer's
 * machine and in tests, as the local PostgreSQL and Redis do for theirs: plain SMTP without
 * authentication, since it only listens on loopback. What a service mails (a verification link, a
 * ticket) is then readable without an account anywhere.
 */
export async function startMailSink(options: MailSinkOptions = {}): Promise<MailSink> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.once("end", () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then(async (parsed) => {
            const text = parsed.text ?? "";
            const to = [parsed.to ?? []].flat().flatMap((field) => field.value.map((address) => address.address ?? ""));
            const mail: ReceivedMail = {
              to,
              from: parsed.from?.text ?? "",
              subject: parsed.subject ?? "",
              text,
              html: typeof parsed.html === "string" ? parsed.html : "",
              links: text.match(/https?:\/\/\S+/g) ?? [],
              raw,
            };
            mails.push(mail);
            await options.onMail?.(mail);
            callback();
          })
          .catch((error: Error) => callback(error));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
