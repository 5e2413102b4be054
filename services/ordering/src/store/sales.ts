import type { Database } from "@marquee/mesh";
import { IsolationLevel } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { StoredRide } from "../entities/index.js";

/**
 * An event's sales, summed by PostgreSQL over the order, ticket and refund rows, as report.proto defines
 * them: a ticket sells when its order is confirmed (its price and fee, as the order priced its line), is
 * refunded when it is voided (refunded or cancelled), and gives money back when a refund naming it is made
 * (PENDING or SUCCEEDED). A refund's amount goes to its tickets, each its price and fee; what the refund
 * keeps or adds beyond that (a cancellation fee kept) is split evenly across them, to the minor unit, so
 * the slices add up to the totals exactly. Refunds of checkouts that failed name no ticket and count
 * nowhere, as their orders never sold.
 */

/** Sales of a period or a slice of it; money in minor units of the event's currency. */
export interface SalesFigures {
  readonly ticketsSold: bigint;
  readonly ticketsRefunded: bigint;
  /** Prices plus fees of the tickets sold. */
  readonly grossMinor: bigint;
  readonly feesMinor: bigint;
  /** Money refunds gave back, positive. */
  readonly refundsMinor: bigint;
}

/** The period a report covers, and whether it is split into days. */
export interface SalesPeriod {
  readonly start: Date;
  /** Exclusive. */
  readonly end: Date;
  /** An IANA time zone, whose midnights bound the days. */
  readonly timeZone: string;
  readonly byDay: boolean;
}

/** A calendar day of the period, cut to the period at either end. */
export interface SalesDay {
  readonly start: Date;
  readonly end: Date;
  readonly figures: SalesFigures;
}

export interface Sales {
  readonly totals: SalesFigures;
  /** Every day of the period, oldest first, when it is split into days; empty otherwise. */
  readonly days: readonly SalesDay[];
  /** Per price tier (or, for a trip, seat class with an empty id), by name. */
  readonly priceTiers: readonly { priceTierId: string; priceTierName: string; figures: SalesFigures }[];
  /** Per ride of a trip; empty for an event. */
  readonly rides: readonly { ride: StoredRide; figures: SalesFigures }[];
}

/**
 * Runs `read` in one read-only REPEATABLE READ transaction, so all its queries see what was committed
 * when the first began: a report's slices and totals then agree even while orders are being confirmed.
 */
export async function inSnapshot<T>(orm: Database, read: (em: EntityManager) => Promise<T>): Promise<T> {
  return await orm.em.fork().transactional(read, { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true });
}

/** When the event's first order was confirmed; undefined while none was. */
export async function firstSaleTime(em: EntityManager, eventId: string): Promise<Date | undefined> {
  const [row] = await em.execute<{ first: Date | string | null }[]>(
    `select min("confirm_time") as "first" from "order" where "event_id" = ?`,
    [eventId],
  );
  return row?.first === null || row?.first === undefined ? undefined : new Date(row.first);
}

/** How many calendar days of its time zone the period touches, a partial first and last day included. */
export async function dayCountOf(em: EntityManager, period: SalesPeriod): Promise<number> {
  const [row] = await em.execute<{ days: number }[]>(
    `with ${reportCte}
     select case when "start_time" < "end_time" then "last_day" - "first_day" + 1 else 0 end as "days" from report`,
    reportParams(null, period),
  );
  return Number(row?.days ?? 0);
}

/** The event's sales over the period: totals, days (when split), price tiers and rides. */
export async function salesOf(em: EntityManager, eventId: string, period: SalesPeriod): Promise<Sales> {
  const rows = await em.execute<SliceRow[]>(salesQuery, reportParams(eventId, period));
  const zero = { ticketsSold: 0n, ticketsRefunded: 0n, grossMinor: 0n, feesMinor: 0n, refundsMinor: 0n };
  const of = (slice: SliceRow["slice"]) => rows.filter((row) => row.slice === slice);
  const totals = of("total")[0];
  return {
    totals: totals ? figuresOf(totals) : zero,
    days: of("day").map((row) => ({
      start: new Date(row.day_start ?? 0),
      end: new Date(row.day_end ?? 0),
      figures: figuresOf(row),
    })),
    priceTiers: of("price_tier").map((row) => ({
      priceTierId: row.price_tier_id ?? "",
      priceTierName: row.price_tier_name ?? "",
      figures: figuresOf(row),
    })),
    rides: of("ride").map((row) => ({
      ride: { boardingStopId: row.boarding_stop_id ?? "", alightingStopId: row.alighting_stop_id ?? "" },
      figures: figuresOf(row),
    })),
  };
}

/** One row of `salesQuery`: a slice's key (the columns of other slices null) and its figures. */
interface SliceRow {
  readonly slice: "total" | "day" | "price_tier" | "ride";
  readonly day_start: Date | string | null;
  readonly day_end: Date | string | null;
  readonly price_tier_id: string | null;
  readonly price_tier_name: string | null;
  readonly boarding_stop_id: string | null;
  readonly alighting_stop_id: string | null;
  /** Sums arrive as strings: bigint and numeric exceed a JavaScript number. */
  readonly tickets_sold: string;
  readonly tickets_refunded: string;
  readonly gross_minor: string;
  readonly fees_minor: string;
  readonly refunds_minor: string;
}

function figuresOf(row: SliceRow): SalesFigures {
  return {
    ticketsSold: BigInt(row.tickets_sold),
    ticketsRefunded: BigInt(row.tickets_refunded),
    grossMinor: BigInt(row.gross_minor),
    feesMinor: BigInt(row.fees_minor),
    refundsMinor: BigInt(row.refunds_minor),
  };
}

function reportParams(eventId: string | null, period: SalesPeriod): unknown[] {
  return [eventId, period.start, period.end, period.timeZone, period.byDay];
}

/**
 * The report's parameters, each bound once, with the period's first and last calendar day in its zone
 * (the last is the day of the instant before the exclusive end, so a period ending at midnight does not
 * touch the next day).
 */
const reportCte = `report as (
  select *,
    ("start_time" at time zone "zone")::date as "first_day",
    (("end_time" - interval '1 microsecond') at time zone "zone")::date as "last_day"
  from (select ?::uuid as "event_id", ?::timestamptz as "start_time", ?::timestamptz as "end_time",
               ?::text as "zone", ?::boolean as "by_day") as "given"
)`;

/** A slice's figures from the movements `m` it groups. */
const figures = `
  coalesce(sum(m."tickets_sold"), 0)::bigint as "tickets_sold",
  coalesce(sum(m."tickets_refunded"), 0)::bigint as "tickets_refunded",
  coalesce(sum(m."gross_minor"), 0)::bigint as "gross_minor",
  coalesce(sum(m."fees_minor"), 0)::bigint as "fees_minor",
  coalesce(sum(m."refunds_minor"), 0)::bigint as "refunds_minor"`;

/**
 * Every movement of money or tickets in the period, one row per ticket each (a sale, a voiding, a share of
 * a refund), with the ticket's tier and ride; then each slice sums the movements it groups, in one
 * statement. The remainder R of a refund over its n tickets is split as ⌊R·(k+1)/n⌋ − ⌊R·k/n⌋ for the
 * k-th ticket by line: shares differ by at most one minor unit and add up to R exactly.
 */
const salesQuery = `with ${reportCte},
ticket_paid as (
  select t."id", t."order_id", t."line", t."price_tier_id", t."price_tier_name",
    t."ride" ->> 'boardingStopId' as "boarding_stop_id", t."ride" ->> 'alightingStopId' as "alighting_stop_id",
    t."void_time", o."confirm_time",
    (o."line_items" -> t."line" ->> 'priceMinor')::bigint + (o."line_items" -> t."line" ->> 'feeMinor')::bigint
      as "paid_minor",
    (o."line_items" -> t."line" ->> 'feeMinor')::bigint as "fee_minor"
  from report
  join "ticket" t on t."event_id" = report."event_id"
  join "order" o on o."id" = t."order_id"
),
refund_share as (
  select p.*, r."create_time", r."amount_minor" - sum(p."paid_minor") over whole_refund as "remainder",
    row_number() over by_line - 1 as "k", count(*) over whole_refund as "n"
  from report
  join "order" o on o."event_id" = report."event_id"
  join "refund" r on r."order_id" = o."id"
  cross join lateral jsonb_array_elements_text(r."ticket_ids") as listed("ticket_id")
  join ticket_paid p on p."order_id" = r."order_id" and p."id"::text = listed."ticket_id"
  where r."state" in ('PENDING', 'SUCCEEDED')
    and r."create_time" >= report."start_time" and r."create_time" < report."end_time"
  window whole_refund as (partition by r."id"), by_line as (partition by r."id" order by p."line")
),
movement as (
  select p."confirm_time" as "at", p."price_tier_id", p."price_tier_name", p."boarding_stop_id",
    p."alighting_stop_id", 1 as "tickets_sold", 0 as "tickets_refunded", p."paid_minor" as "gross_minor",
    p."fee_minor" as "fees_minor", 0::numeric as "refunds_minor"
  from report join ticket_paid p
    on p."confirm_time" >= report."start_time" and p."confirm_time" < report."end_time"
  union all
  select p."void_time", p."price_tier_id", p."price_tier_name", p."boarding_stop_id", p."alighting_stop_id",
    0, 1, 0, 0, 0
  from report join ticket_paid p on p."void_time" >= report."start_time" and p."void_time" < report."end_time"
  union all
  select s."create_time", s."price_tier_id", s."price_tier_name", s."boarding_stop_id", s."alighting_stop_id",
    0, 0, 0, 0,
    s."paid_minor" + floor(s."remainder" * (s."k" + 1) / s."n") - floor(s."remainder" * s."k" / s."n")
  from refund_share s
),
day as (
  select d."local"::date as "date",
    greatest(d."local" at time zone report."zone", report."start_time") as "day_start",
    least((d."local" + interval '1 day') at time zone report."zone", report."end_time") as "day_end"
  from report
  cross join generate_series(report."first_day"::timestamp, report."last_day"::timestamp, interval '1 day') as d("local")
  where report."by_day" and report."start_time" < report."end_time"
)
select 'total' as "slice", null::timestamptz as "day_start", null::timestamptz as "day_end",
  null as "price_tier_id", null as "price_tier_name", null as "boarding_stop_id", null as "alighting_stop_id",
  ${figures}
from movement m
union all
select 'day', day."day_start", day."day_end", null, null, null, null, ${figures}
from report cross join day
left join movement m on (m."at" at time zone report."zone")::date = day."date"
group by day."date", day."day_start", day."day_end"
union all
select 'price_tier', null, null, m."price_tier_id", m."price_tier_name", null, null, ${figures}
from movement m
group by m."price_tier_id", m."price_tier_name"
union all
select 'ride', null, null, null, null, m."boarding_stop_id", m."alighting_stop_id", ${figures}
from movement m
where m."boarding_stop_id" is not null
group by m."boarding_stop_id", m."alighting_stop_id"
order by "slice", "day_start", "price_tier_name", "price_tier_id", "boarding_stop_id", "alighting_stop_id"`;
