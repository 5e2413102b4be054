import { type BackgroundTask, type Database, type Logger, startPeriodic } from "@marquee/mesh";
import { type RetryPolicy, retryDelayMs } from "../domain/backoff.js";
import { composeMail, type Sources, Unsendable } from "../mail/compose.js";
import { previewOf } from "../mail/layout.js";
import type { Mailer } from "../mail/mailer.js";
import { deadNotifications, sendAttempts } from "../metrics.js";
import { claimDue, markFailed, markSent, type NotificationRow } from "../store/notifications.js";

/** What the sender works with. */
export interface SenderDeps {
  readonly orm: Database;
  readonly log: Logger;
  readonly mailer: Mailer;
  readonly sources: Sources;
}

/** How the sender paces itself. */
export interface SenderOptions extends RetryPolicy {
  readonly intervalMs: number;
  readonly batchSize: number;
  readonly leaseMs: number;
}

/**
 * Mails the notifications the consumers recorded, after their transaction committed — every one: the
 * user's preferences were applied when it was recorded (`recordNotification`). Each round claims
 * the rows due (a lease, so replicas share the work and a crashed replica's rows are taken over when
 * the lease lapses), sends each, and marks it SENT right after the server accepted it — one row at a
 * time, so a crash loses at most the mark of the mail in flight.
 *
 * Why a mail is not sent twice: the row exists once per (source event, user, channel), recorded in the
 * same transaction as the inbox entry; a redelivered event finds its inbox entry (and, failing that, the
 * unique constraint) and adds nothing; a claim takes only PENDING or FAILED rows, so an already-SENT row
 * is never picked again whatever is redelivered or restarted. What remains is the one window no SMTP
 * client can close — the server said 250 and the process died before the UPDATE committed — where the
 * row is still unsent and is sent again after its lease; that copy carries the same Message-ID, which
 * mail providers and clients fold into one. Sending before recording instead would turn that window
 * into a lost mail, which is worse for a ticket.
 *
 * A failed attempt (mail server down, ordering or catalog unreachable) is retried with exponential
 * backoff; after SEND_MAX_ATTEMPTS the row is DEAD: logged as an error and counted
 * (`notification_dead_total`). A notification that can never be sent (no address, order gone) is DEAD
 * at once.
 */
export function startSender(deps: SenderDeps, options: SenderOptions): BackgroundTask {
  return startPeriodic(options.intervalMs, async () => {
    try {
      for (;;) {
        const due = await claimDue(deps.orm, options.batchSize, options.leaseMs);
        for (const row of due) await attempt(deps, row, options);
        if (due.length < options.batchSize) return;
      }
    } catch (error) {
      deps.log.error({ err: error }, "sending notifications failed; the next round tries again");
    }
  });
}

/** One attempt at one notification; records its outcome. */
export async function attempt(deps: SenderDeps, row: NotificationRow, policy: RetryPolicy): Promise<void> {
  const fields = { notification_id: row.id, kind: row.kind, attempt: row.attempts + 1 };
  let mail: Awaited<ReturnType<typeof composeMail>>;
  try {
    mail = await composeMail(row, deps.sources);
    await deps.mailer.send(row.id, mail);
  } catch (error) {
    const reason = reasonOf(error);
    const delayMs = error instanceof Unsendable ? undefined : retryDelayMs(row.attempts + 1, policy);
    await markFailed(deps.orm, row.id, reason, delayMs === undefined ? undefined : new Date(Date.now() + delayMs));
    if (delayMs === undefined) {
      sendAttempts.inc({ kind: row.kind, outcome: "dead" });
      deadNotifications.inc({ kind: row.kind });
      // The address is personal data: the row has it, the log has the id.
      deps.log.error({ ...fields, err: error }, "notification given up (dead letter)");
    } else {
      sendAttempts.inc({ kind: row.kind, outcome: "failed" });
      deps.log.warn({ ...fields, err: error, retry_in_ms: delayMs }, "notification not sent; retrying later");
    }
    return;
  }
  await markSent(deps.orm, row.id, { recipient: mail.to, subject: mail.subject, preview: previewOf(mail.text) });
  sendAttempts.inc({ kind: row.kind, outcome: "sent" });
  deps.log.info(fields, "notification sent");
}

/** Why an attempt failed, in words for ListMyNotifications' failure_reason. */
function reasonOf(error: unknown): string {
  if (error instanceof Unsendable) return error.message;
  const code = (error as { code?: string }).code;
  if (code === "ECONNREFUSED" || code === "ESOCKET" || code === "ETIMEDOUT" || code === "ECONNECTION") {
    return "the mail server could not be reached";
  }
  const responseCode = (error as { responseCode?: number }).responseCode;
  if (responseCode !== undefined) return `the mail server refused it (${responseCode})`;
  return "it could not be prepared or sent";
}
