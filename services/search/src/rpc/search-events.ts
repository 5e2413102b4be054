import { timestampDate } from "@bufbuild/protobuf/wkt";
import { type Checker, decodePageToken, defineRpc, encodePageToken, pageSizeOf } from "@marquee/mesh";
import type { Money } from "@marquee/proto/marquee/api/v1/money_pb.js";
import { ResultKind, type SearchEventsRequest, SearchService } from "@marquee/proto/marquee/search/v1/search_pb.js";
import { keyOf } from "../domain/text.js";
import type { Search } from "../search.js";
import { toSearchResult } from "../store/messages.js";
import { countResults, positionOf, type SearchPosition, searchPage } from "../store/search-query.js";
import { filtersOf, orders } from "../store/search-request.js";

/** Page sizes of SearchEvents: default 20, at most 100, as the proto says. */
const pageSizes = { default: 20, max: 100 } as const;
/** Longest query the proto accepts. */
const maxQueryLength = 200;

/** A position of SearchEvents' pages, and the start bound the first page resolved ("now"), kept while paging. */
interface SearchPagePosition extends SearchPosition {
  readonly s: string;
}

function isSearchPosition(position: unknown): position is SearchPagePosition {
  const p = position as SearchPagePosition;
  return (
    typeof p === "object" &&
    p !== null &&
    typeof p.t === "string" &&
    !Number.isNaN(Date.parse(p.t)) &&
    typeof p.s === "string" &&
    !Number.isNaN(Date.parse(p.s)) &&
    typeof p.id === "string" &&
    /^[0-9a-f-]{36}$/.test(p.id) &&
    (p.k === undefined || Number.isFinite(p.k) || (typeof p.k === "string" && /^-?\d{1,19}$/.test(p.k)))
  );
}

/** A price bound: a currency, an amount not negative. */
function checkMoney(check: Checker, field: string, money: Money | undefined): void {
  if (money === undefined) return;
  check.matches(`${field}.currency_code`, money.currencyCode, /^[A-Z]{3}$/, "must be an ISO 4217 code, e.g. BDT");
  check.that(`${field}.amount_minor`, money.amountMinor >= 0n, "must not be negative");
}

/** The request's fields other than paging: what a page token must have been issued for. */
function queryOf(request: SearchEventsRequest) {
  const time = (t: typeof request.startTime) => (t ? timestampDate(t).toISOString() : "");
  const money = (m: Money | undefined) => (m ? [m.currencyCode, String(m.amountMinor)] : null);
  return {
    query: request.query,
    kind: request.kind,
    category: request.category,
    city: request.city,
    origin: request.originCity,
    destination: request.destinationCity,
    start: time(request.startTime),
    end: time(request.endTime),
    min: money(request.minPrice),
    max: money(request.maxPrice),
    available: request.onlyAvailable,
    order: request.orderBy,
  };
}

/**
 * SearchService.SearchEvents: keyset pages of the read model (`store/search-query.ts`), the category facets
 * and the total beside them. A query word also matches the lexicon words it may be a misspelling of, and the
 * last word matches as a prefix too, so "Coldpaly" finds Coldplay and "Kolk" Kolkata.
 */
export const searchEvents = defineRpc(SearchService.method.searchEvents, {
  rules(request, check) {
    check.maxLength("query", request.query, maxQueryLength);
    if (request.startTime && request.endTime) {
      check.that(
        "end_time",
        timestampDate(request.endTime) > timestampDate(request.startTime),
        "must be after start_time",
      );
    }
    checkMoney(check, "min_price", request.minPrice);
    checkMoney(check, "max_price", request.maxPrice);
    const [min, max] = [request.minPrice, request.maxPrice];
    if (min && max) {
      if (min.currencyCode !== max.currencyCode) {
        check.that("max_price.currency_code", false, "must be min_price's currency");
      } else {
        check.that("min_price", min.amountMinor <= max.amountMinor, "must not be above max_price");
      }
    }
    const isRoute = request.originCity !== "" || request.destinationCity !== "";
    if (request.kind === ResultKind.EVENT && isRoute) {
      const field = request.originCity !== "" ? "origin_city" : "destination_city";
      check.that(field, false, "is for trips: a search with kind RESULT_KIND_EVENT has no origin or destination");
    }
    if (request.originCity !== "" && request.destinationCity !== "") {
      check.that(
        "destination_city",
        keyOf(request.originCity) !== keyOf(request.destinationCity),
        "must not be origin_city",
      );
    }
    check.that("page_size", request.pageSize >= 0, "must not be negative");
  },
  handler(search: Search) {
    return async (request) => {
      const query = queryOf(request);
      const after = decodePageToken("search-events", query, request.pageToken, isSearchPosition);
      const now = new Date();
      const asked = request.startTime ? timestampDate(request.startTime) : now;
      const startTime = after ? new Date(after.s) : asked > now ? asked : now;
      const em = search.orm.em.fork();
      const filters = await filtersOf(em, request, startTime);
      const textQuery = filters.textQuery;
      const order = orders[request.orderBy];
      const limit = pageSizeOf(request.pageSize, pageSizes);
      const [page, counts] = await Promise.all([
        searchPage(em, filters, order, after, limit),
        countResults(search.orm.em.fork(), filters),
      ]);
      const last = page.rows.at(-1);
      return {
        results: page.rows.map(toSearchResult),
        nextPageToken:
          page.hasMore && last
            ? encodePageToken("search-events", query, {
                ...positionOf(last, order, textQuery !== undefined),
                s: startTime.toISOString(),
              })
            : "",
        totalSize: counts.total,
        categoryFacets: counts.facets,
      };
    };
  },
});
