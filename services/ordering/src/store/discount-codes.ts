import type { Database } from "@marquee/mesh";
import type { EntityManager } from "@mikro-orm/postgresql";
import { DiscountCodeEntity } from "../entities/index.js";

/**
 * Discount codes and their uses. A use is taken by a conditional increment in the transaction that
 * inserts the order, so of any number of buyers racing for the last use exactly one gets it (the row's
 * lock orders them), and given back by a decrement in the transaction that ends the order unconfirmed.
 */

/** Codes are matched ignoring case and stored in upper case. */
export function normalCode(code: string): string {
  return code.trim().toUpperCase();
}

export async function findCode(orm: Database, eventId: string, code: string): Promise<DiscountCodeEntity | null> {
  return await orm.em.fork().findOne(DiscountCodeEntity, { eventId, code: normalCode(code) });
}

/** Whether the code may be used now, as far as one read can tell (the redeem decides). */
export function isUsable(code: DiscountCodeEntity, now = new Date()): boolean {
  const hasUses = code.maxUses === 0 || code.useCount < code.maxUses;
  return hasUses && (code.validUntil == null || code.validUntil > now);
}

/** Takes one use of the code; false when none is left or it lapsed. Inside the order's transaction. */
export async function redeem(em: EntityManager, codeId: string): Promise<boolean> {
  const rows = await em.execute<{ id: string }[]>(
    `update "discount_code" set "use_count" = "use_count" + 1
      where "id" = ? and ("max_uses" = 0 or "use_count" < "max_uses")
        and ("valid_until" is null or "valid_until" > now())
      returning "id"`,
    [codeId],
  );
  return rows.length === 1;
}

/** Gives back the use an order held. Inside the transaction that ends the order. */
export async function giveBack(em: EntityManager, codeId: string): Promise<void> {
  await em.execute(`update "discount_code" set "use_count" = "use_count" - 1 where "id" = ?`, [codeId]);
}
