import type { EntityManager } from "@mikro-orm/postgresql";
import type { StopRecord } from "../domain/rides.js";
import { pgArray } from "./listings.js";

/** What SearchEvents filters by, resolved from the request (folded, defaults applied). */
export interface SearchFilters {
  /** A `to_tsquery('simple', …)` text: every query word, each OR-ed with the words it may be a typo of. */
  readonly textQuery?: string;
  readonly kind?: "EVENT" | "TRIP";
  /** Lower case. */
  readonly category?: string;
  /** Folded (`keyOf`). */
  readonly cityKey?: string;
  readonly originKey?: string;
  readonly destinationKey?: string;
  readonly startTime: Date;
  readonly endTime?: Date;
  readonly price?: { readonly currencyCode: string; readonly minMinor?: bigint; readonly maxMinor?: bigint };
  readonly onlyAvailable: boolean;
}

/** How results are ordered; ties by start time, then id. */
export type SearchOrder = "relevance" | "start" | "priceAscending" | "priceDescending";

/** Where a page starts: the last row's sort key (`k`: a rank or a price), start time and id. */
export interface SearchPosition {
  readonly k?: number | string;
  readonly t: string;
  readonly id: string;
}

/** A row of a result page: the listing, and the ride when the search was a route search. */
export interface SearchRow {
  readonly event_id: string;
  readonly kind: "EVENT" | "TRIP";
  readonly title: string;
  readonly category: string;
  readonly venue_name: string;
  readonly city: string;
  readonly stops: StopRecord[];
  readonly currency_code: string;
  readonly capacity: number;
  readonly from_index: number | null;
  readonly to_index: number | null;
  readonly sort_start: Date;
  readonly sort_price: string;
  readonly sort_available: number;
  readonly sort_rank: number;
}

/** Results counted up to this many exactly (the proto's 10,000), one more to know the count went past. */
export const exactCountLimit = 10_000;

/** One SQL condition list with its `?` parameters, in order. */
class Conditions {
  readonly parts: string[] = [];
  readonly params: unknown[] = [];
  add(sql: string, ...params: unknown[]): void {
    this.parts.push(sql);
    this.params.push(...params);
  }
  get sql(): string {
    return this.parts.length === 0 ? "true" : this.parts.join(" and ");
  }
}

/**
 * The columns a query sorts and filters by: a ride's for a route search, else the listing's. `l` is the
 * listing, `r` the ride; `category` and `currency` are the ride's own copies on a route search, so one
 * that filters neither by text nor by city (`needsListing` false) counts from the rides alone.
 */
function columnsOf(filters: SearchFilters) {
  const isRoute = filters.originKey !== undefined || filters.destinationKey !== undefined;
  const needsListing = !isRoute || filters.textQuery !== undefined || filters.cityKey !== undefined;
  return isRoute
    ? {
        isRoute,
        needsListing,
        start: "r.departure_time",
        price: "r.lowest_price_minor",
        available: "r.available",
        category: "r.category",
        currency: "r.currency_code",
      }
    : {
        isRoute,
        needsListing,
        start: "l.start_time",
        price: "l.lowest_price_minor",
        available: "l.available",
        category: "l.category",
        currency: "l.currency_code",
      };
}

/**
 * The FROM clause and every condition but the keyset's; `withCategory` false for the facets, and
 * `withListing` false for a count that needs no column of the listing.
 */
function whereOf(
  filters: SearchFilters,
  withCategory: boolean,
  withListing = true,
): { from: string; where: Conditions; category: string } {
  const columns = columnsOf(filters);
  const where = new Conditions();
  let from = "listing l";
  if (columns.isRoute) {
    from = withListing || columns.needsListing ? "ride r join listing l on l.event_id = r.event_id" : "ride r";
    if (filters.originKey !== undefined && filters.destinationKey !== undefined) {
      where.add("r.boarding_city_key = ? and r.alighting_city_key = ?", filters.originKey, filters.destinationKey);
    } else if (filters.originKey !== undefined) {
      where.add("r.boarding_city_key = ? and r.ends_at_route_end", filters.originKey);
    } else {
      where.add("r.alighting_city_key = ? and r.starts_at_route_start", filters.destinationKey);
    }
  }
  if (filters.textQuery !== undefined) where.add("l.search_text @@ to_tsquery('simple', ?)", filters.textQuery);
  // Every ride is a trip's: a route search needs no kind condition.
  if (filters.kind !== undefined && !columns.isRoute) where.add("l.kind = ?", filters.kind);
  if (withCategory && filters.category !== undefined) where.add(`${columns.category} = ?`, filters.category);
  if (filters.cityKey !== undefined) where.add("l.city_keys @> ?::text[]", pgArray([filters.cityKey]));
  where.add(`${columns.start} >= ?`, filters.startTime.toISOString());
  if (filters.endTime !== undefined) where.add(`${columns.start} < ?`, filters.endTime.toISOString());
  if (filters.price !== undefined) {
    where.add(`${columns.currency} = ?`, filters.price.currencyCode);
    if (filters.price.minMinor !== undefined)
      where.add(`${columns.price} >= ?::bigint`, String(filters.price.minMinor));
    if (filters.price.maxMinor !== undefined)
      where.add(`${columns.price} <= ?::bigint`, String(filters.price.maxMinor));
  }
  if (filters.onlyAvailable) where.add(`${columns.available} > 0`);
  return { from, where, category: columns.category };
}

/** The rank of a row: PostgreSQL's `ts_rank` of the weighted text (title above venue and cities above description). */
function rankOf(filters: SearchFilters): { sql: string; params: unknown[] } {
  if (filters.textQuery === undefined) return { sql: "0::float8", params: [] };
  return { sql: "ts_rank(l.search_text, to_tsquery('simple', ?))::float8", params: [filters.textQuery] };
}

/**
 * A page of results after `after`, `limit` at most (one more is read to tell whether a next page exists).
 * The order is a total order on (key, start, id), and the page starts strictly after the last row served,
 * so rows inserted or removed between pages never make a row appear twice or be skipped.
 */
export async function searchPage(
  em: EntityManager,
  filters: SearchFilters,
  order: SearchOrder,
  after: SearchPosition | undefined,
  limit: number,
): Promise<{ rows: SearchRow[]; hasMore: boolean }> {
  const columns = columnsOf(filters);
  const { from, where } = whereOf(filters, true);
  const rank = rankOf(filters);
  const effective = order === "relevance" && filters.textQuery === undefined ? "start" : order;
  // Sorted by the expressions, not the output columns: the price is selected as text (a bigint for JSON).
  const key = { relevance: "sort_rank", start: "", priceAscending: columns.price, priceDescending: columns.price }[
    effective
  ];
  const keyDirection = effective === "priceAscending" ? "asc" : "desc";
  if (after !== undefined) {
    const tail = `(${columns.start}, l.event_id) > (?::timestamptz, ?::uuid)`;
    if (effective === "start") {
      where.add(tail, after.t, after.id);
    } else {
      const expression = effective === "relevance" ? rank.sql : columns.price;
      const cast = effective === "relevance" ? "::float8" : "::bigint";
      const beyond = keyDirection === "asc" ? ">" : "<";
      const keyParams = () => [...(effective === "relevance" ? rank.params : []), String(after.k)];
      where.add(
        `(${expression} ${beyond} ?${cast} or (${expression} = ?${cast} and ${tail}))`,
        ...keyParams(),
        ...keyParams(),
        after.t,
        after.id,
      );
    }
  }
  const orderBy = [...(key === "" ? [] : [`${key} ${keyDirection}`]), `${columns.start} asc`, "l.event_id asc"].join(
    ", ",
  );
  const rows = await em.execute<SearchRow[]>(
    `select l.event_id, l.kind, l.title, l.category, l.venue_name, l.city, l.stops, l.currency_code, l.capacity,
       ${columns.isRoute ? "r.from_index, r.to_index" : "null::int as from_index, null::int as to_index"},
       ${columns.start} as sort_start, ${columns.price}::text as sort_price, ${columns.available} as sort_available,
       ${rank.sql} as sort_rank
     from ${from} where ${where.sql} order by ${orderBy} limit ?`,
    [...rank.params, ...where.params, limit + 1],
  );
  return { rows: rows.slice(0, limit), hasMore: rows.length > limit };
}

/** The position after a row, for the next page's token. */
export function positionOf(row: SearchRow, order: SearchOrder, hasText: boolean): SearchPosition {
  const t = new Date(row.sort_start).toISOString();
  if (order === "priceAscending" || order === "priceDescending") return { k: row.sort_price, t, id: row.event_id };
  if (order === "relevance" && hasText) return { k: row.sort_rank, t, id: row.event_id };
  return { t, id: row.event_id };
}

/**
 * The number of matching results per category with every filter but the category, and the total with
 * every filter. Exact up to 10,000 rows: beyond, PostgreSQL's estimate of the row count (from the plan),
 * and each category's share of the first 10,001 scaled to it.
 */
export async function countResults(
  em: EntityManager,
  filters: SearchFilters,
): Promise<{ total: number; facets: { category: string; count: number }[] }> {
  const cap = exactCountLimit + 1;
  const facetQuery = whereOf(filters, false, false);
  const counted = await em.execute<{ category: string; count: number }[]>(
    `select category, count(*)::int as count from (select ${facetQuery.category} as category from ${facetQuery.from}
       where ${facetQuery.where.sql} limit ?) as matched group by category order by count desc, category`,
    [...facetQuery.where.params, cap],
  );
  let facets = counted.map((row) => ({ category: row.category, count: Number(row.count) }));
  const facetTotal = facets.reduce((sum, facet) => sum + facet.count, 0);
  if (facetTotal >= cap) {
    const estimate = Math.max(cap, await estimateRows(em, facetQuery.from, facetQuery.where));
    facets = facets.map((facet) => ({ ...facet, count: Math.round((facet.count * estimate) / facetTotal) }));
  }
  if (filters.category === undefined) return { total: facets.reduce((sum, facet) => sum + facet.count, 0), facets };
  const totalQuery = whereOf(filters, true, false);
  const [row] = await em.execute<{ count: number }[]>(
    `select count(*)::int as count from (select 1 from ${totalQuery.from} where ${totalQuery.where.sql} limit ?) as matched`,
    [...totalQuery.where.params, cap],
  );
  const total = Number(row?.count ?? 0);
  return {
    total: total >= cap ? Math.max(cap, await estimateRows(em, totalQuery.from, totalQuery.where)) : total,
    facets,
  };
}

/** PostgreSQL's estimate of the rows a query matches, from its plan (no execution). */
async function estimateRows(em: EntityManager, from: string, where: Conditions): Promise<number> {
  const [plan] = await em.execute<{ "QUERY PLAN": [{ Plan: { "Plan Rows": number } }] }[]>(
    `explain (format json) select 1 from ${from} where ${where.sql}`,
    where.params,
  );
  return Math.round(plan?.["QUERY PLAN"][0].Plan["Plan Rows"] ?? 0);
}

/**
 * The words of the read model a query word may be a misspelling of: trigram similarity above pg_trgm's
 * threshold (0.3: "coldpaly" is 0.38 from "coldplay"), the closest few first. The lexicon holds only the
 * distinct words of titles, venues, cities and categories, so this is an index probe over thousands of
 * rows whatever the number of events.
 */
export async function similarWords(
  em: EntityManager,
  words: readonly string[],
  perWord: number,
): Promise<Map<string, string[]>> {
  const rows = await em.execute<{ token: string; word: string }[]>(
    `select t.token, w.word from unnest(?::text[]) as t (token)
     cross join lateral (select word from word where word % t.token order by word <-> t.token limit ?) as w`,
    [pgArray(words), perWord],
  );
  const similar = new Map<string, string[]>();
  for (const row of rows) similar.set(row.token, [...(similar.get(row.token) ?? []), row.word]);
  return similar;
}
