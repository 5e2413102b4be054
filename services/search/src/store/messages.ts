import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ResultKind, type SearchResult, SearchResultSchema } from "@marquee/proto/marquee/search/v1/search_pb.js";
import { availabilityLevelOf } from "../domain/availability.js";
import type { StopRecord } from "../domain/rides.js";
import type { SearchRow } from "./search-query.js";

const timestampOf = (iso: string | undefined) => (iso ? timestampFromDate(new Date(iso)) : undefined);

/**
 * A result row as SearchResult: for a route search, the ride between the matched stops, its boarding
 * stop's city and departure, its fare and the seats free for it; otherwise the listing's own.
 */
export function toSearchResult(row: SearchRow): SearchResult {
  const boarding: StopRecord | undefined = row.from_index === null ? undefined : row.stops[row.from_index];
  const alighting: StopRecord | undefined = row.to_index === null ? undefined : row.stops[row.to_index];
  return create(SearchResultSchema, {
    id: row.event_id,
    kind: row.kind === "TRIP" ? ResultKind.TRIP : ResultKind.EVENT,
    title: row.title,
    category: row.category,
    venueName: row.venue_name,
    city: boarding?.city ?? row.city,
    startTime: timestampFromDate(new Date(row.sort_start)),
    lowestPrice: { currencyCode: row.currency_code, amountMinor: BigInt(row.sort_price) },
    availability: availabilityLevelOf(row.capacity, row.sort_available),
    stops: row.stops.map((stop) => ({
      stopId: stop.id,
      name: stop.name,
      city: stop.city,
      arrivalTime: timestampOf(stop.arrivalTime),
      departureTime: timestampOf(stop.departureTime),
    })),
    ...(boarding && alighting ? { ride: { boardingStopId: boarding.id, alightingStopId: alighting.id } } : {}),
  });
}
