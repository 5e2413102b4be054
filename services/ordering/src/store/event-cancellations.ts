import type { EntityManager } from "@mikro-orm/postgresql";

/**
 * The event_cancellation table (see its migration): an event's cancellation recorded once, the events
 * still to work off, and the reopening of one whose order was confirmed after all.
 */

/** A cancellation as catalog's EventCancelled tells it. */
export interface CancellationToRecord {
  readonly eventId: string;
  readonly sourceEventId: string;
  readonly reason: string;
  readonly cancelTime: Date;
}

/** Records an event's cancellation, in the inbox's transaction; a second delivery adds nothing. */
export async function recordEventCancellation(em: EntityManager, cancellation: CancellationToRecord): Promise<void> {
  await em.execute(
    `insert into "event_cancellation" ("event_id", "source_event_id", "reason", "cancel_time", "state")
     values (?, ?, ?, ?, 'REFUNDING') on conflict ("event_id") do nothing`,
    [cancellation.eventId, cancellation.sourceEventId, cancellation.reason, cancellation.cancelTime],
  );
}

/** Cancelled events whose orders are still being refunded or cancelled, the oldest cancellation first. */
export async function refundingEventIds(em: EntityManager, limit: number): Promise<string[]> {
  const rows = await em.execute<{ event_id: string }[]>(
    `select "event_id" from "event_cancellation" where "state" = 'REFUNDING' order by "cancel_time" limit ?`,
    [limit],
  );
  return rows.map((row) => row.event_id);
}

/**
 * Called in the transaction that confirms an order: if its event was cancelled, the cancellation is worked
 * on again, so an order whose checkout outlived the cancellation's last batch is refunded too. The row's
 * lock orders this against the worker marking the cancellation done.
 */
export async function reopenCancellation(em: EntityManager, eventId: string): Promise<void> {
  await em.execute(
    `update "event_cancellation" set "state" = 'REFUNDING', "done_time" = null where "event_id" = ? and "state" = 'DONE'`,
    [eventId],
  );
}

/** Adds to a cancellation's counts of orders refunded and orders cancelled in checkout. */
export async function countWorkedOff(
  em: EntityManager,
  eventId: string,
  worked: { readonly refunded: number; readonly cancelled: number },
): Promise<void> {
  await em.execute(
    `update "event_cancellation" set "orders_refunded" = "orders_refunded" + ?, "orders_cancelled" = "orders_cancelled" + ?
     where "event_id" = ?`,
    [worked.refunded, worked.cancelled, eventId],
  );
}

/**
 * Marks the cancellation done when none of the event's orders holds tickets or is in checkout any more;
 * whether it is done now (by this call or an earlier one). One statement, so an order confirmed meanwhile
 * either is seen here or reopens it.
 */
export async function finishCancellationIfSettled(em: EntityManager, eventId: string): Promise<boolean> {
  await em.execute(
    `update "event_cancellation" set "state" = 'DONE', "done_time" = now()
     where "event_id" = ? and "state" = 'REFUNDING' and not exists (
       select 1 from "order" where "order"."event_id" = ? and "order"."state" in ('CONFIRMED', 'PARTIALLY_REFUNDED', 'PENDING'))`,
    [eventId, eventId],
  );
  const [row] = await em.execute<{ state: string }[]>(`select "state" from "event_cancellation" where "event_id" = ?`, [
    eventId,
  ]);
  return row?.state === "DONE";
}

/**
 * Up to `limit` of the event's orders that still hold tickets, locked for this transaction and skipping
 * those another replica's batch has locked, so two workers never refund one order.
 */
export async function lockRefundableOrderIds(em: EntityManager, eventId: string, limit: number): Promise<string[]> {
  const rows = await em.execute<{ id: string }[]>(
    `select "id" from "order" where "event_id" = ? and "state" in ('CONFIRMED', 'PARTIALLY_REFUNDED')
     order by "id" limit ? for update skip locked`,
    [eventId, limit],
  );
  return rows.map((row) => row.id);
}

/**
 * Hands the event's orders still authorizing or committing to the saga's compensation, as a buyer's
 * CancelOrder does (a conditional update on the step: a runner that moves on meanwhile changes nothing
 * and compensates at its next step): the payment is voided, the hold released, the order CANCELLED. An
 * order at the capture step has its seats and is left to be confirmed, then refunded. Returns the ids
 * handed over.
 */
export async function handPendingToCompensation(
  em: EntityManager,
  eventId: string,
  failureMessage: string,
): Promise<string[]> {
  const rows = await em.execute<{ id: string }[]>(
    `update "order" set "saga_step" = 'COMPENSATE', "cancel_time" = now(), "update_time" = now(),
       "failure_reason" = 'EVENT_UNAVAILABLE', "failure_message" = ?, "payment_method_token" = null,
       -- Due at once unless a runner holds the lease: that runner compensates when its step ends.
       "lease_until" = case when "lease_owner" is null then null else "lease_until" end
     where "event_id" = ? and "state" = 'PENDING' and "saga_step" in ('AUTHORIZE', 'COMMIT')
     returning "id"`,
    [failureMessage, eventId],
  );
  return rows.map((row) => row.id);
}
