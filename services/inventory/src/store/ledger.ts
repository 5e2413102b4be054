import { failedPrecondition, type LegRange, type PreconditionViolation } from "@marquee/mesh";
import { UniqueConstraintViolationException } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { legMask } from "../domain/legs.js";
import { ledgerConflicts, seatsSold } from "../metrics.js";
import type { SoldSeatLeg } from "./hold-store.js";

/**
 * The sold-seat ledger in PostgreSQL (`sold_seat`): one row per seat sold on one leg, unique per
 * (event, seat, leg). It is the last guard against double-selling, whatever Redis says, and the source
 * `HoldStore.rebuild` reads after Redis lost its state.
 */

/** A sale to record: the seats of one committed hold, on the legs of its ride. */
export interface Sale {
  readonly eventId: string;
  readonly orderId: string;
  readonly holdId: string;
  readonly userId: string;
  readonly seatIndexes: readonly number[];
  readonly legs: LegRange;
}

/** A seat-leg of the ledger. */
export interface SeatLeg {
  readonly seatIndex: number;
  readonly leg: number;
}

/**
 * Records every (seat, leg) of a sale in one statement, inside the caller's transaction (a savepoint of
 * it, so a refusal leaves the caller's transaction usable). Rows the same order recorded already are
 * skipped, so recording a sale again is a no-op. A seat-leg sold to another order refuses the whole
 * sale, writing nothing, with a FAILED_PRECONDITION listing each conflict as `SEAT_SOLD` on
 * `seat:<index>/leg:<leg>`. Returns the rows written.
 */
export async function recordSale(em: EntityManager, sale: Sale): Promise<{ readonly recorded: number }> {
  const wanted = seatLegsOf(sale.seatIndexes, sale.legs);
  if (wanted.length === 0) return { recorded: 0 };
  const seats = pgArray(wanted.map((w) => w.seatIndex));
  const legs = pgArray(wanted.map((w) => w.leg));
  // A unique violation against rows of this same order can only come from a concurrent recording of
  // it; by the retry those rows are committed and skipped.
  for (let attempt = 1; ; attempt++) {
    try {
      const rows = await em.transactional((tx) =>
        tx.execute<{ seat_index: number }[]>(
          `insert into sold_seat (event_id, seat_index, leg, order_id, hold_id, user_id, sold_at)
           select ?, w.seat_index, w.leg, ?, ?, ?, now()
           from unnest(?::int[], ?::smallint[]) as w (seat_index, leg)
           where not exists (
             select 1 from sold_seat s
             where s.event_id = ? and s.seat_index = w.seat_index and s.leg = w.leg and s.order_id = ?
           )
           returning seat_index`,
          [sale.eventId, sale.orderId, sale.holdId, sale.userId, seats, legs, sale.eventId, sale.orderId],
        ),
      );
      seatsSold.inc(rows.length);
      return { recorded: rows.length };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const conflicts = await em.execute<{ seat_index: number; leg: number }[]>(
        `select s.seat_index, s.leg
         from sold_seat s join unnest(?::int[], ?::smallint[]) as w (seat_index, leg)
           on s.seat_index = w.seat_index and s.leg = w.leg
         where s.event_id = ? and s.order_id <> ?
         order by s.seat_index, s.leg`,
        [seats, legs, sale.eventId, sale.orderId],
      );
      if (conflicts.length > 0) {
        ledgerConflicts.inc();
        throw soldElsewhere(conflicts);
      }
      if (attempt >= 2) throw error;
    }
  }
}

/**
 * Deletes an order's rows for a refund: all of them, or those of the named seats (every leg). Returns
 * the seat-legs deleted; rows already gone are skipped.
 */
export async function releaseSale(
  em: EntityManager,
  release: { readonly eventId: string; readonly orderId: string; readonly seatIndexes?: readonly number[] },
): Promise<SeatLeg[]> {
  const seats = release.seatIndexes ?? [];
  const rows = await em.execute<{ seat_index: number; leg: number }[]>(
    `delete from sold_seat
     where event_id = ? and order_id = ? and (cardinality(?::int[]) = 0 or seat_index = any(?::int[]))
     returning seat_index, leg`,
    [release.eventId, release.orderId, pgArray(seats), pgArray(seats)],
  );
  return rows
    .map((r) => ({ seatIndex: Number(r.seat_index), leg: Number(r.leg) }))
    .sort((a, b) => a.seatIndex - b.seatIndex || a.leg - b.leg);
}

/** Every sold seat-leg of an event, by seat then leg: what `HoldStore.rebuild` takes. */
export async function soldSeatLegs(em: EntityManager, eventId: string): Promise<SoldSeatLeg[]> {
  const rows = await em.execute<{ seat_index: number; leg: number; order_id: string; user_id: string }[]>(
    `select seat_index, leg, order_id, user_id from sold_seat where event_id = ? order by seat_index, leg`,
    [eventId],
  );
  return rows.map((r) => ({
    seatIndex: Number(r.seat_index),
    leg: Number(r.leg),
    orderId: r.order_id,
    userId: r.user_id,
  }));
}

/** The (seat, leg) pairs of a sale; validates the legs and the seat indexes. */
function seatLegsOf(seatIndexes: readonly number[], legs: LegRange): SeatLeg[] {
  legMask(legs.fromLeg, legs.toLeg);
  const pairs: SeatLeg[] = [];
  for (const seatIndex of new Set(seatIndexes)) {
    if (!Number.isInteger(seatIndex) || seatIndex < 0) throw new RangeError(`bad seat index ${seatIndex}`);
    for (let leg = legs.fromLeg; leg < legs.toLeg; leg++) pairs.push({ seatIndex, leg });
  }
  return pairs;
}

function soldElsewhere(conflicts: readonly { seat_index: number; leg: number }[]) {
  const violations: PreconditionViolation[] = conflicts.map((c) => ({
    type: "SEAT_SOLD",
    subject: `seat:${c.seat_index}/leg:${c.leg}`,
    description: `seat ${c.seat_index} is already sold on leg ${c.leg}`,
  }));
  return failedPrecondition(`already sold: ${violations.map((v) => v.subject).join(", ")}`, violations);
}

function isUniqueViolation(error: unknown): boolean {
  return (
    error instanceof UniqueConstraintViolationException ||
    (typeof error === "object" && error !== null && (error as { code?: unknown }).code === "23505")
  );
}

/** A PostgreSQL array literal of integers, bound as one parameter. */
function pgArray(values: readonly number[]): string {
  return `{${values.join(",")}}`;
}
