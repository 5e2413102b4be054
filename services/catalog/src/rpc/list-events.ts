import { timestampDate, timestampMs } from "@bufbuild/protobuf/wkt";
import { decodePageToken, defineRpc, encodePageToken, isTimeAndId, pageSizeOf, type TimeAndId } from "@marquee/mesh";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { Category, EventKind } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import type { Catalog } from "../catalog.js";
import { listPublishedEvents, toEventMessage } from "../store/events.js";

const pageSize = { default: 50, max: 200 } as const;

/** Where the next page starts, and the "now" the first page defaulted `start_time_from` to. */
interface Position extends TimeAndId {
  readonly from: string;
}

function isPosition(position: unknown): position is Position {
  return isTimeAndId(position) && typeof (position as Position).from === "string";
}

/**
 * CatalogService.ListEvents: published events soonest first, filtered by kind, category, city (the venue's,
 * or any stop's of a trip; case-insensitive) and start time (from now by default). The "now" of the first
 * page travels in the token, so later pages neither skip nor repeat events.
 */
export const listEvents = defineRpc(CatalogService.method.listEvents, {
  rules(request, check) {
    check.that("page_size", request.pageSize >= 0, "must not be negative");
    check.that("kind", EventKind[request.kind] !== undefined, "is not an EventKind");
    check.that("category", Category[request.category] !== undefined, "is not a Category");
    check.maxLength("city", request.city, 100);
    if (request.startTimeFrom !== undefined && request.startTimeTo !== undefined) {
      check.that(
        "start_time_to",
        timestampMs(request.startTimeTo) > timestampMs(request.startTimeFrom),
        "must be after start_time_from",
      );
    }
  },
  handler({ orm }: Catalog) {
    return async (request) => {
      const filters = {
        kind: request.kind === EventKind.UNSPECIFIED ? undefined : EventKind[request.kind],
        category: request.category === Category.UNSPECIFIED ? undefined : Category[request.category],
        city: request.city.trim() === "" ? undefined : request.city.trim().toLowerCase(),
        from: request.startTimeFrom && timestampDate(request.startTimeFrom).toISOString(),
        to: request.startTimeTo && timestampDate(request.startTimeTo).toISOString(),
      };
      const after = decodePageToken("events", filters, request.pageToken, isPosition);
      const from = new Date(filters.from ?? after?.from ?? Date.now());
      const limit = pageSizeOf(request.pageSize, pageSize);
      const rows = await listPublishedEvents(
        orm.em.fork(),
        {
          ...(filters.kind ? { kind: filters.kind } : {}),
          ...(filters.category ? { category: filters.category } : {}),
          ...(filters.city ? { city: filters.city } : {}),
          from,
          ...(filters.to ? { to: new Date(filters.to) } : {}),
        },
        after,
        limit + 1,
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const position = last && { t: last.startTime.toISOString(), id: last.id, from: from.toISOString() };
      return {
        events: page.map(toEventMessage),
        nextPageToken: rows.length > limit && position ? encodePageToken("events", filters, position) : "",
      };
    };
  },
});
