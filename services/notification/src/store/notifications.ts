import { randomUUID } from "node:crypto";
import type { Database } from "@marquee/mesh";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { KindName } from "../domain/preferences.js";
import { isMailWanted } from "./preferences.js";

/**
 * A kind of notification as stored: NotificationKind's name without its prefix. The consumers record
 * ORDER_CONFIRMED, ORDER_CANCELLED, ORDER_REFUNDED, EVENT_CANCELLED and EVENT_UPDATED today, the kinds the sender has
 * templates for (`mail/compose.ts`).
 */
export type StoredKind = KindName;

/** A notification to record for a platform event. */
export interface NewNotification {
  readonly userId: string;
  readonly kind: StoredKind;
  readonly sourceEventId: string;
  /** The address when the event gave it; empty: the sender resolves it from the order. */
  readonly recipient: string;
  /** What ListMyNotifications shows until the mail is rendered. */
  readonly subject: string;
  readonly orderId?: string;
  readonly eventId?: string;
  readonly data?: Readonly<Record<string, string>>;
}

/** A notification row as the sender and the list read it. */
export interface NotificationRow {
  readonly id: string;
  readonly userId: string;
  readonly kind: StoredKind;
  readonly channel: string;
  readonly recipient: string;
  readonly subject: string;
  readonly preview: string;
  readonly state: "PENDING" | "FAILED" | "SENT" | "DEAD";
  readonly attempts: number;
  readonly sendTime: Date | null;
  readonly failureReason: string;
  readonly sourceEventId: string;
  readonly orderId: string | null;
  readonly eventId: string | null;
  readonly data: Record<string, string>;
  readonly createTime: Date;
}

const columns = `"id", "user_id", "kind", "channel", "recipient", "subject", "preview", "state", "attempts",
  "send_time", "failure_reason", "source_event_id", "order_id", "event_id", "data", "create_time"`;

/**
 * Records a notification inside the caller's transaction (the consumer's, with the inbox insert). A row of
 * the same source event, user and channel already there is kept as it is, whatever its state: this, not
 * only the inbox, is what makes one mail per event and recipient (the inbox is per consumer group; the
 * unique constraint holds whoever records). Returns whether a row was added.
 *
 * A mail of a kind the user turned off (never a required one) is not recorded at all: ListMyNotifications
 * lists what was sent or is being sent, and this is neither. The choice is made here, once, and not by the
 * sender: preferences apply to notifications created after they changed, so a row recorded before an
 * opt-out is still mailed.
 */
export async function recordNotification(em: EntityManager, notification: NewNotification): Promise<boolean> {
  if (!(await isMailWanted(em, notification.userId, notification.kind))) return false;
  const now = new Date();
  const result = await em.execute(
    `insert into "notification" ("id", "user_id", "kind", "channel", "recipient", "subject", "preview", "state",
       "attempts", "next_attempt_time", "source_event_id", "order_id", "event_id", "data", "create_time")
     values (?, ?, ?, 'EMAIL', ?, ?, '', 'PENDING', 0, ?, ?, ?, ?, ?, ?)
     on conflict ("source_event_id", "user_id", "channel") do nothing`,
    [
      randomUUID(),
      notification.userId,
      notification.kind,
      notification.recipient,
      notification.subject,
      now,
      notification.sourceEventId,
      notification.orderId ?? null,
      notification.eventId ?? null,
      JSON.stringify(notification.data ?? {}),
      now,
    ],
    "run",
  );
  return (result as { affectedRows?: number }).affectedRows === 1;
}

/**
 * Takes up to `limit` notifications due for an attempt (never tried, or failed and past their backoff)
 * that no live lease holds, and leases them to this replica for `leaseMs`. SKIP LOCKED lets replicas
 * claim side by side without waiting on each other or taking the same row.
 */
export async function claimDue(orm: Database, limit: number, leaseMs: number): Promise<NotificationRow[]> {
  const rows = await orm.em.fork().execute(
    `update "notification" set "lease_until" = now() + (? * interval '1 millisecond')
     where "id" in (
       select "id" from "notification"
       where "state" in ('PENDING', 'FAILED') and "next_attempt_time" <= now()
         and ("lease_until" is null or "lease_until" < now())
       order by "next_attempt_time" limit ? for update skip locked)
     returning ${columns}`,
    [leaseMs, limit],
  );
  // RETURNING keeps no order: oldest first, so mails go out in the order their events came.
  return (rows as Record<string, unknown>[]).map(rowOf).sort((a, b) => a.createTime.getTime() - b.createTime.getTime());
}

/** Marks a leased notification sent, with what was sent; a row no longer PENDING or FAILED is left alone. */
export async function markSent(
  orm: Database,
  id: string,
  sent: { recipient: string; subject: string; preview: string },
): Promise<void> {
  await orm.em.fork().execute(
    `update "notification" set "state" = 'SENT', "send_time" = now(), "attempts" = "attempts" + 1,
       "recipient" = ?, "subject" = ?, "preview" = ?, "failure_reason" = '', "lease_until" = null
     where "id" = ? and "state" in ('PENDING', 'FAILED')`,
    [sent.recipient, sent.subject, sent.preview, id],
  );
}

/** Records a failed attempt: FAILED with the time of the next one, or DEAD when `retryAt` is undefined. */
export async function markFailed(orm: Database, id: string, reason: string, retryAt: Date | undefined): Promise<void> {
  await orm.em.fork().execute(
    `update "notification" set "state" = ?, "attempts" = "attempts" + 1, "failure_reason" = ?,
       "next_attempt_time" = coalesce(?, "next_attempt_time"), "lease_until" = null
     where "id" = ? and "state" in ('PENDING', 'FAILED')`,
    [retryAt === undefined ? "DEAD" : "FAILED", reason.slice(0, 500), retryAt ?? null, id],
  );
}

/** Filters of ListMyNotifications; every one given must hold. */
export interface NotificationFilter {
  readonly userId: string;
  readonly channel?: string;
  readonly kind?: string;
  readonly orderId?: string;
}

/** A page of a user's notifications, newest first (create time, then id), after `after`. */
export async function listNotifications(
  orm: Database,
  filter: NotificationFilter,
  after: { t: string; id: string } | undefined,
  limit: number,
): Promise<{ rows: NotificationRow[]; last: { t: string; id: string } | undefined }> {
  const where = [`"user_id" = ?`];
  const params: unknown[] = [filter.userId];
  if (filter.channel !== undefined) where.push(`"channel" = ?`) && params.push(filter.channel);
  if (filter.kind !== undefined) where.push(`"kind" = ?`) && params.push(filter.kind);
  if (filter.orderId !== undefined) where.push(`"order_id" = ?`) && params.push(filter.orderId);
  if (after !== undefined) {
    where.push(`("create_time", "id") < (?, ?)`);
    params.push(new Date(after.t), after.id);
  }
  const found = await orm.em.fork().execute(
    `select ${columns} from "notification" where ${where.join(" and ")}
     order by "create_time" desc, "id" desc limit ?`,
    [...params, limit + 1],
  );
  const rows = (found as Record<string, unknown>[]).map(rowOf);
  const page = rows.slice(0, limit);
  const tail = page.at(-1);
  return {
    rows: page,
    last: rows.length > limit && tail ? { t: tail.createTime.toISOString(), id: tail.id } : undefined,
  };
}

function rowOf(row: Record<string, unknown>): NotificationRow {
  const time = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string));
  return {
    id: row.id as string,
    userId: row.user_id as string,
    kind: row.kind as StoredKind,
    channel: row.channel as string,
    recipient: row.recipient as string,
    subject: row.subject as string,
    preview: row.preview as string,
    state: row.state as NotificationRow["state"],
    attempts: Number(row.attempts),
    sendTime: time(row.send_time),
    failureReason: row.failure_reason as string,
    sourceEventId: row.source_event_id as string,
    orderId: (row.order_id as string | null) ?? null,
    eventId: (row.event_id as string | null) ?? null,
    data: (typeof row.data === "string" ? JSON.parse(row.data) : row.data) as Record<string, string>,
    createTime: time(row.create_time) as Date,
  };
}
