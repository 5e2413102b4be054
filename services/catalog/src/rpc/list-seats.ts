import { decodePageToken, defineRpc, encodePageToken, invalidArgument, isIndex, pageSizeOf } from "@marquee/mesh";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import type { Catalog } from "../catalog.js";
import { toEventMessage } from "../store/events.js";
import { readableEvent, seatMapOf } from "../store/lookups.js";
import { toEventSeat } from "../store/messages.js";
import { seatPage, sectionsOf } from "../store/seat-maps.js";

const pageSize = { default: 1000, max: 5000 } as const;

/** CatalogService.ListSeats: the seats of the map an event sells, in map order, optionally of one section. */
export const listSeats = defineRpc(CatalogService.method.listSeats, {
  rules(request, check) {
    check.id("event_id", request.eventId);
    check.that("page_size", request.pageSize >= 0, "must not be negative");
  },
  handler({ orm }: Catalog) {
    return async (request, call) => {
      const em = orm.em.fork();
      const row = await readableEvent(em, call.principal, request.eventId);
      const map = seatMapOf(row);
      const sectionId = request.sectionId === "" ? undefined : request.sectionId;
      if (sectionId !== undefined && !(await sectionsOf(em, map)).some((section) => section.id === sectionId)) {
        throw invalidArgument("section_id", `the event has no section ${JSON.stringify(sectionId)}`);
      }
      const filters = { event: row.id, section: sectionId };
      const fromIndex = decodePageToken("seats", filters, request.pageToken, isIndex) ?? 0;
      const limit = pageSizeOf(request.pageSize, pageSize);
      const seats = await seatPage(em, map, { fromIndex, limit: limit + 1, ...(sectionId ? { sectionId } : {}) });
      const page = seats.slice(0, limit);
      const { priceTiers } = toEventMessage(row);
      const last = page.at(-1);
      return {
        seats: page.map((seat) => toEventSeat(seat, priceTiers)),
        nextPageToken: seats.length > limit && last ? encodePageToken("seats", filters, last.index + 1) : "",
      };
    };
  },
});
