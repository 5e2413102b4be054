import type { EntityManager } from "@mikro-orm/postgresql";
import type { Sale } from "./ledger.js";

/**
 * Events whose sales are closed for good (CloseSales: the event was cancelled), in PostgreSQL beside the
 * sold-seat ledger (`closed_event`). Redis has the closure too, where the hold scripts check it; this copy
 * is what a store that lost the event loads it closed from, and the cut between the ledger's sales and
 * the closure: recording a sale takes the event's closure lock shared and closing takes it exclusive, so
 * a sale being recorded when the event closes is committed before the closure is, and none after.
 */

/**
 * Closes an event's sales in the ledger: waits for sales being recorded, then keeps the closure. Returns
 * whether this call closed it (false: it was closed already).
 */
export async function closeInLedger(em: EntityManager, eventId: string): Promise<boolean> {
  return em.transactional(async (tx) => {
    await tx.execute("select pg_advisory_xact_lock(hashtextextended(?, 0))", [lockName(eventId)]);
    const rows = await tx.execute<{ event_id: string }[]>(
      `insert into closed_event (event_id, closed_at) values (?, now())
       on conflict (event_id) do nothing
       returning event_id`,
      [eventId],
    );
    return rows.length > 0;
  });
}

/** Whether the ledger has the event's sales closed. */
export async function isClosedInLedger(em: EntityManager, eventId: string): Promise<boolean> {
  const rows = await em.execute<{ closed: boolean }[]>(
    "select exists (select 1 from closed_event where event_id = ?) as closed",
    [eventId],
  );
  return rows[0]?.closed === true;
}

/**
 * Inside the transaction that records `sale`: takes the event's closure lock shared, until the transaction
 * ends, and answers whether the sale may go in — the event is not closed, or this same sale (the order's
 * rows of this hold) was recorded before it closed, so a retry answers as the first call did.
 */
export async function saleMayBeRecorded(
  em: EntityManager,
  sale: Pick<Sale, "eventId" | "orderId" | "holdId">,
): Promise<boolean> {
  await em.execute("select pg_advisory_xact_lock_shared(hashtextextended(?, 0))", [lockName(sale.eventId)]);
  const [row] = await em.execute<{ closed: boolean; recorded: boolean }[]>(
    `select exists (select 1 from closed_event where event_id = ?) as closed,
            exists (select 1 from sold_seat where event_id = ? and order_id = ? and hold_id = ?) as recorded`,
    [sale.eventId, sale.eventId, sale.orderId, sale.holdId],
  );
  return row?.closed !== true || row.recorded === true;
}

/** The advisory lock of an event's closure, named apart from any other lock of the database. */
function lockName(eventId: string): string {
  return `inventory.closed_event:${eventId}`;
}
