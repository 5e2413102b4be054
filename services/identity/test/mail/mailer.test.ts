import { createLogger } from "@marquee/mesh";
import { freePort } from "@marquee/mesh/testing";
import { expect } from "chai";
import { Mailer } from "../../src/mail/mailer.js";
import { startMailSink } from "../support/mail-sink.js";

const log = createLogger("mailer-test", "silent");
const mail = { to: "ana@example.com", subject: "Hello", text: "Hello\n", html: "<p>Hello</p>" };

describe("Mailer", () => {
  it("delivers over SMTP after send returns", async () => {
    const sink = await startMailSink();
    const mailer = new Mailer({ smtpUrl: sink.url, from: "Marquee <no-reply@marquee.test>", log });
    try {
      mailer.send(mail);
      const received = await sink.nextMailTo("ana@example.com", /Hello/);
      expect(received.from).to.equal(`"Marquee" <no-reply@marquee.test>`);
      expect(received.text).to.equal("Hello\n");
    } finally {
      await mailer.close();
      await sink.close();
    }
  });

  it("gives up a mail to a server that is down at shutdown, without waiting out its retries", async () => {
    const port = await freePort();
    const mailer = new Mailer({
      smtpUrl: `smtp://127.0.0.1:${port}`,
      from: "no-reply@marquee.test",
      log,
      retryDelaysMs: [60_000],
    });
    mailer.send(mail);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const start = Date.now();
    await mailer.close();
    expect(Date.now() - start).to.be.below(2000);
  });
});
