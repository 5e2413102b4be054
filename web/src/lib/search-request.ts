import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ResultKind, type SearchEventsRequestSchema, SearchOrder } from "@marquee/proto/marquee/search/v1/search_pb.js";
import { minorDigits } from "./format.js";

/** The home page's search as its URL keeps it, so a search can be shared and the back button returns to it. */
export const searchParams = [
  "q",
  "kind",
  "category",
  "city",
  "origin",
  "destination",
  "from",
  "to",
  "min",
  "max",
  "currency",
  "available",
  "sort",
] as const;

/** A page of results: enough to fill three columns a few rows deep. */
const pageSize = 24;

/**
 * The SearchEvents request of a URL's query. A route (origin or destination) means trips only, as the
 * contract says; the dates are whole local days; prices are typed in major units ("1500" or "1,500.50")
 * and sent only with a currency, since a price filter never matches results priced in another one. What
 * cannot be read (a malformed date or amount) is left out rather than failing the whole search.
 */
export function searchRequestOf(query: URLSearchParams): MessageInitShape<typeof SearchEventsRequestSchema> {
  const text = (name: (typeof searchParams)[number]) => (query.get(name) ?? "").trim();
  const origin = text("origin");
  const destination = text("destination");
  const currency = text("currency");
  const kind = origin || destination ? ResultKind.TRIP : (Number(text("kind")) as ResultKind) || ResultKind.UNSPECIFIED;
  const from = dayStart(text("from"));
  const until = dayStart(text("to"));
  const minMinor = minorOf(text("min"));
  const maxMinor = minorOf(text("max"));
  return {
    query: text("q"),
    kind,
    category: text("category"),
    city: text("city"),
    originCity: origin,
    destinationCity: destination,
    ...(from ? { startTime: timestampFromDate(from) } : {}),
    // "Until" a day includes that day: the bound is the next midnight.
    ...(until ? { endTime: timestampFromDate(new Date(until.getTime() + 86_400_000)) } : {}),
    ...(currency && minMinor !== undefined ? { minPrice: { currencyCode: currency, amountMinor: minMinor } } : {}),
    ...(currency && maxMinor !== undefined ? { maxPrice: { currencyCode: currency, amountMinor: maxMinor } } : {}),
    onlyAvailable: text("available") === "1",
    orderBy: (Number(text("sort")) as SearchOrder) || SearchOrder.RELEVANCE,
    pageSize,
  };
}

/** Local midnight of a `yyyy-mm-dd` date input's value; undefined when empty or malformed. */
function dayStart(value: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const date = new Date(`${value}T00:00:00`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** "1,500.5" → 150050n minor units; undefined when empty, negative or not a number. */
export function minorOf(value: string): bigint | undefined {
  const plain = value.replaceAll(",", "").trim();
  const match = /^(\d+)(?:\.(\d+))?$/.exec(plain);
  if (!match) return undefined;
  const [, whole = "0", fraction = ""] = match;
  if (fraction.length > minorDigits) return undefined;
  return BigInt(whole) * 10n ** BigInt(minorDigits) + BigInt(fraction.padEnd(minorDigits, "0"));
}
