import { decodePageToken, defineRpc, encodePageToken, isIndex, pageSizeOf } from "@marquee/mesh";
import { CatalogInternalService } from "@marquee/proto/marquee/catalog/v1/catalog_internal_pb.js";
import type { Catalog } from "../catalog.js";
import { toEventMessage } from "../store/events.js";
import { seatMapOf, soldEvent } from "../store/lookups.js";
import { toEventSeat } from "../store/messages.js";
import { seatPage } from "../store/seat-maps.js";

const pageSize = { default: 5000, max: 20_000 } as const;

/** CatalogInternalService.ListEventSeats: a page of a published event's frozen map, in index order. */
export const listEventSeats = defineRpc(CatalogInternalService.method.listEventSeats, {
  rules(request, check) {
    check.id("event_id", request.eventId);
    check.that("page_size", request.pageSize >= 0, "must not be negative");
  },
  handler({ orm }: Catalog) {
    return async (request) => {
      const em = orm.em.fork();
      const row = await soldEvent(em, request.eventId);
      const filters = { event: row.id };
      const fromIndex = decodePageToken("event-seats", filters, request.pageToken, isIndex) ?? 0;
      const limit = pageSizeOf(request.pageSize, pageSize);
      const seats = await seatPage(em, seatMapOf(row), { fromIndex, limit: limit + 1 });
      const page = seats.slice(0, limit);
      const { priceTiers } = toEventMessage(row);
      const last = page.at(-1);
      return {
        seats: page.map((seat) => toEventSeat(seat, priceTiers)),
        nextPageToken: seats.length > limit && last ? encodePageToken("event-seats", filters, last.index + 1) : "",
      };
    };
  },
});
