import { decodePageToken, defineRpc, encodePageToken, invalidArgument, isIndex, pageSizeOf } from "@marquee/mesh";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import type { Catalog } from "../catalog.js";
import { manageableVenue } from "../store/lookups.js";
import { toVenueSeat } from "../store/messages.js";
import { type SeatMapOwner, seatPage, sectionsOf } from "../store/seat-maps.js";

/** As ListSeats pages an event's seats. */
const pageSize = { default: 1000, max: 5000 } as const;

/**
 * CatalogService.ListVenueSeats: the seats of one of the caller's venues (an admin's: any), its current map,
 * in map order, optionally of one section. Keyset paging on the seat index.
 */
export const listVenueSeats = defineRpc(CatalogService.method.listVenueSeats, {
  rules(request, check) {
    check.id("venue_id", request.venueId);
    check.that("page_size", request.pageSize >= 0, "must not be negative");
  },
  handler({ orm }: Catalog) {
    return async (request, call) => {
      const em = orm.em.fork();
      const venue = await manageableVenue(em, call.principal, request.venueId);
      const map: SeatMapOwner = { kind: "venue", id: venue.id };
      const sectionId = request.sectionId === "" ? undefined : request.sectionId;
      if (sectionId !== undefined && !(await sectionsOf(em, map)).some((section) => section.id === sectionId)) {
        throw invalidArgument("section_id", `the venue has no section ${JSON.stringify(sectionId)}`);
      }
      const filters = { venue: venue.id, section: sectionId };
      const fromIndex = decodePageToken("venue-seats", filters, request.pageToken, isIndex) ?? 0;
      const limit = pageSizeOf(request.pageSize, pageSize);
      const seats = await seatPage(em, map, { fromIndex, limit: limit + 1, ...(sectionId ? { sectionId } : {}) });
      const page = seats.slice(0, limit);
      const last = page.at(-1);
      return {
        seats: page.map(toVenueSeat),
        nextPageToken: seats.length > limit && last ? encodePageToken("venue-seats", filters, last.index + 1) : "",
      };
    };
  },
});
