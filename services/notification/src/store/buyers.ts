import type { EntityManager } from "@mikro-orm/postgresql";
import type { StoredKind } from "./notifications.js";

/**
 * The buyers of each event, kept from ordering's events, and the events catalog cancelled: what an
 * EventCancelled needs to reach every buyer. Every function runs in the consumer's transaction.
 */

/** A confirmed order: its buyer becomes a buyer of the event. Repeating it changes nothing. */
export async function addBuyer(
  em: EntityManager,
  order: { orderId: string; eventId: string; userId: string; email: string; ticketCount: number; time: Date },
): Promise<void> {
  await em.execute(
    `insert into "event_buyer" ("order_id", "event_id", "user_id", "email", "ticket_count", "refunded_ticket_count", "confirm_time")
     values (?, ?, ?, ?, ?, 0, ?) on conflict ("order_id") do nothing`,
    [order.orderId, order.eventId, order.userId, order.email, order.ticketCount, order.time],
  );
}

/** Tickets of an order refunded at `time`: when none remains, the order holds no tickets from then on. */
export async function refundTickets(
  em: EntityManager,
  orderId: string,
  ticketCount: number,
  time: Date,
): Promise<void> {
  await em.execute(
    `update "event_buyer" set "refunded_ticket_count" = "refunded_ticket_count" + ?,
       "void_time" = case when "void_time" is null and "refunded_ticket_count" + ? >= "ticket_count" then ? else "void_time" end
     where "order_id" = ?`,
    [ticketCount, ticketCount, time, orderId],
  );
}

/** An order cancelled at `time`: it holds no tickets from then on. */
export async function voidOrder(em: EntityManager, orderId: string, time: Date): Promise<void> {
  await em.execute(`update "event_buyer" set "void_time" = coalesce("void_time", ?) where "order_id" = ?`, [
    time,
    orderId,
  ]);
}

/** The cancellation of an event, if catalog cancelled it. */
export interface Cancellation {
  readonly sourceEventId: string;
  readonly reason: string;
  readonly cancelTime: Date;
}

/** Records an event's cancellation; the first one recorded stays (catalog cancels an event once). */
export async function recordCancellation(
  em: EntityManager,
  eventId: string,
  cancellation: Cancellation,
): Promise<void> {
  await em.execute(
    `insert into "cancelled_event" ("event_id", "source_event_id", "reason", "cancel_time") values (?, ?, ?, ?)
     on conflict ("event_id") do nothing`,
    [eventId, cancellation.sourceEventId, cancellation.reason, cancellation.cancelTime],
  );
}

/** The cancellation of an event, or undefined while it is not cancelled. */
export async function cancellationOf(em: EntityManager, eventId: string): Promise<Cancellation | undefined> {
  const [row] = await em.execute<{ source_event_id: string; reason: string; cancel_time: Date }[]>(
    `select "source_event_id", "reason", "cancel_time" from "cancelled_event" where "event_id" = ?`,
    [eventId],
  );
  return row
    ? { sourceEventId: row.source_event_id, reason: row.reason, cancelTime: new Date(row.cancel_time) }
    : undefined;
}

/**
 * Records the cancellation notice for every buyer of the event whose order still held tickets when it was
 * cancelled (not voided before `cancelTime`), one per user however many orders they have — in one
 * statement, so 500 buyers are 500 rows of one insert. The source is the cancellation's envelope id, so
 * the unique constraint keeps one notice per buyer whichever path records it first (this one, or a late
 * OrderConfirmed: see `background/order-events.ts`). Returns how many were added. Preferences are not
 * read: EVENT_CANCELLED is always mailed (a required kind).
 */
export async function recordCancellationNotices(
  em: EntityManager,
  eventId: string,
  cancellation: Cancellation,
): Promise<number> {
  const kind: StoredKind = "EVENT_CANCELLED";
  const now = new Date();
  const result = await em.execute(
    `insert into "notification" ("id", "user_id", "kind", "channel", "recipient", "subject", "preview", "state",
       "attempts", "next_attempt_time", "source_event_id", "order_id", "event_id", "data", "create_time")
     select gen_random_uuid(), "user_id", ?, 'EMAIL', "email", 'Your event was cancelled', '', 'PENDING', 0, ?, ?,
       null, "event_id", ?::jsonb, ?
     from (select distinct on ("user_id") "user_id", "email", "event_id" from "event_buyer"
           where "event_id" = ? and ("void_time" is null or "void_time" >= ?)
           order by "user_id", "confirm_time" desc) as "buyer"
     on conflict ("source_event_id", "user_id", "channel") do nothing`,
    [
      kind,
      now,
      cancellation.sourceEventId,
      JSON.stringify({ reason: cancellation.reason }),
      now,
      eventId,
      cancellation.cancelTime,
    ],
    "run",
  );
  return (result as { affectedRows?: number }).affectedRows ?? 0;
}

/** A user holding tickets of an event now, at the address of their latest order. */
export interface Holder {
  readonly userId: string;
  readonly email: string;
}

/** The users who hold tickets of the event now (an order not voided), one each however many orders. */
export async function holdersOf(em: EntityManager, eventId: string): Promise<Holder[]> {
  const rows = await em.execute<{ user_id: string; email: string }[]>(
    `select distinct on ("user_id") "user_id", "email" from "event_buyer"
     where "event_id" = ? and "void_time" is null order by "user_id", "confirm_time" desc`,
    [eventId],
  );
  return rows.map((row) => ({ userId: row.user_id, email: row.email }));
}
