import type { Database, TimeAndId } from "@marquee/mesh";
import { raw } from "@mikro-orm/core";
import { OrderEntity } from "../entities/index.js";
import { type OrderRecord, recordsOf } from "./orders.js";

/** Filters of the order lists; every one given must hold. */
export interface OrderFilter {
  readonly userId?: string;
  readonly organizerId?: string;
  readonly eventId?: string;
  /** Stored state names; empty: every state. */
  readonly states?: readonly string[];
  /** The buyer's email, compared ignoring case. */
  readonly buyerEmail?: string;
}

/**
 * A page of orders, newest first (create time, then id), after `after`; `last` is the position of the
 * page's last order when more follow.
 */
export async function listOrders(
  orm: Database,
  filter: OrderFilter,
  after: TimeAndId | undefined,
  limit: number,
): Promise<{ records: OrderRecord[]; last: TimeAndId | undefined }> {
  const em = orm.em.fork();
  const rows = await em.find(
    OrderEntity,
    {
      ...(filter.userId !== undefined ? { userId: filter.userId } : {}),
      ...(filter.organizerId !== undefined ? { organizerId: filter.organizerId } : {}),
      ...(filter.eventId !== undefined ? { eventId: filter.eventId } : {}),
      ...(filter.states !== undefined && filter.states.length > 0 ? { state: { $in: [...filter.states] } } : {}),
      ...(filter.buyerEmail !== undefined ? buyerEmailIs(filter.buyerEmail) : {}),
      ...(after !== undefined
        ? {
            $or: [{ createTime: { $lt: new Date(after.t) } }, { createTime: new Date(after.t), id: { $lt: after.id } }],
          }
        : {}),
    },
    { orderBy: { createTime: "desc", id: "desc" }, limit: limit + 1 },
  );
  const page = rows.slice(0, limit);
  const tail = page.at(-1);
  return {
    records: await recordsOf(em, page),
    last: rows.length > limit && tail ? { t: tail.createTime.toISOString(), id: tail.id } : undefined,
  };
}

/**
 * Orders whose buyer email equals `email` ignoring case. Both sides go through PostgreSQL's lower(), the
 * expression `order_by_buyer_email` indexes, so they fold alike: JavaScript's toLowerCase folds letters
 * beyond ASCII that lower() under the C locale keeps. Fresh fragments per query: MikroORM consumes a raw
 * fragment when it renders it.
 */
function buyerEmailIs(email: string) {
  return { [raw((alias) => `lower(${alias}."buyer" ->> 'email')`)]: raw("lower(?)", [email]) };
}
