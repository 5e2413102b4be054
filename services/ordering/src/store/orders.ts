import type { Database } from "@marquee/mesh";
import { UniqueConstraintViolationException } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { OrderEntity, RefundEntity, TicketEntity } from "../entities/index.js";
import { giveBack, redeem } from "./discount-codes.js";

/**
 * The order tables, read and changed. The saga's changes are conditional on the step they leave, so two
 * runners of one checkout (a process thought dead whose lease lapsed, and the one that took over) never
 * both apply a step: the first changes the row, the second changes nothing and stops.
 */

export async function findOrder(orm: Database, id: string): Promise<OrderEntity | null> {
  return await orm.em.fork().findOne(OrderEntity, { id });
}

export async function findOrderByKey(orm: Database, userId: string, key: string): Promise<OrderEntity | null> {
  return await orm.em.fork().findOne(OrderEntity, { userId, idempotencyKey: key });
}

/** An order with its tickets (by line) and refunds (oldest first): everything its message shows. */
export interface OrderRecord {
  readonly order: OrderEntity;
  readonly tickets: readonly TicketEntity[];
  readonly refunds: readonly RefundEntity[];
}

/** The records of some orders, in the order of `orders`. */
export async function recordsOf(em: EntityManager, orders: readonly OrderEntity[]): Promise<OrderRecord[]> {
  if (orders.length === 0) return [];
  const ids = orders.map((order) => order.id);
  const tickets = await em.find(TicketEntity, { orderId: { $in: ids } }, { orderBy: { line: "asc" } });
  const refunds = await em.find(RefundEntity, { orderId: { $in: ids } }, { orderBy: { createTime: "asc", id: "asc" } });
  return orders.map((order) => ({
    order,
    tickets: tickets.filter((ticket) => ticket.orderId === order.id),
    refunds: refunds.filter((refund) => refund.orderId === order.id),
  }));
}

export async function readOrderRecord(orm: Database, id: string): Promise<OrderRecord | null> {
  const em = orm.em.fork();
  const order = await em.findOne(OrderEntity, { id });
  return order === null ? null : ((await recordsOf(em, [order]))[0] ?? null);
}

/** Why `insertOrder` refused an order. */
export type InsertRefusal = "key-taken" | "hold-has-order" | "code-used-up";

/**
 * Inserts a new PENDING order, taking a use of its discount code in the same transaction. Refused when
 * the caller's idempotency key is taken (a concurrent call with the same key won), when the hold already
 * has a live order (`order_one_per_hold`), or when the code has no use left.
 */
export async function insertOrder(orm: Database, order: OrderEntity): Promise<InsertRefusal | undefined> {
  try {
    return await orm.em.fork().transactional(async (em) => {
      const codeId = order.discountCodeId;
      if (codeId && !(await redeem(em, codeId))) return "code-used-up";
      await em.insert(OrderEntity, order);
      return undefined;
    });
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    return String(error.message).includes("order_idempotency") ? "key-taken" : "hold-has-order";
  }
}

/**
 * Ends a PENDING order unconfirmed (FAILED, EXPIRED, CANCELLED) from step `from`, giving back its discount
 * code's use in the same transaction; false when it had left that step.
 */
export async function endUnconfirmed(
  orm: Database,
  order: OrderEntity,
  from: string,
  changes: Partial<OrderEntity>,
): Promise<boolean> {
  return await orm.em.fork().transactional(async (em) => {
    if (!(await advanceStep(em, order.id, from, { ...changes, sagaStep: "DONE" }))) return false;
    const codeId = order.discountCodeId;
    if (codeId) await giveBack(em, codeId);
    return true;
  });
}

/**
 * Takes (or renews) the lease of a PENDING order for the run `owner`: granted when nobody holds it, its
 * holder's lease lapsed, or `owner` holds it already. The order as it now stands, or null when not granted.
 */
export async function claimLease(
  orm: Database,
  id: string,
  owner: string,
  leaseMs: number,
): Promise<OrderEntity | null> {
  const em = orm.em.fork();
  const rows = await em.execute<{ id: string }[]>(
    `update "order" set "lease_owner" = ?, "lease_until" = now() + (? * interval '1 millisecond')
      where "id" = ? and "state" = 'PENDING'
        and ("lease_until" is null or "lease_until" < now() or "lease_owner" = ?)
      returning "id"`,
    [owner, leaseMs, id, owner],
  );
  if (rows.length === 0) return null;
  return await em.findOne(OrderEntity, { id }, { refresh: true });
}

/**
 * Gives the lease back after a step that must wait, to be taken again by the resumer after `delayMs`,
 * noting the code it waits on.
 */
export async function releaseLease(
  orm: Database,
  id: string,
  owner: string,
  delayMs: number,
  errorCode: string,
): Promise<void> {
  await orm.em.fork().execute(
    `update "order" set "lease_owner" = null, "lease_until" = now() + (? * interval '1 millisecond'),
        "attempts" = "attempts" + 1, "last_error_code" = ?
        where "id" = ? and "lease_owner" = ?`,
    [delayMs, errorCode, id, owner],
  );
}

/**
 * Moves a PENDING order on from step `from`, with `changes`; false when it had left that step (another
 * runner got there first). Runs in `em`, so a caller may do it in its own transaction.
 */
export async function advanceStep(
  em: EntityManager,
  id: string,
  from: string,
  changes: Partial<OrderEntity>,
): Promise<boolean> {
  const updated = await em.nativeUpdate(
    OrderEntity,
    { id, state: "PENDING", sagaStep: from },
    { ...changes, updateTime: new Date() },
  );
  return updated === 1;
}

/** PENDING orders whose saga is due (no lease, or a lapsed one), oldest lease first. */
export async function dueOrderIds(orm: Database, limit: number): Promise<string[]> {
  const rows = await orm.em.fork().execute<{ id: string }[]>(
    `select "id" from "order"
      where "state" = 'PENDING' and ("lease_until" is null or "lease_until" < now())
      order by "lease_until" asc nulls first limit ?`,
    [limit],
  );
  return rows.map((row) => row.id);
}
