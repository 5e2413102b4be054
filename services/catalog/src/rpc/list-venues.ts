import { decodePageToken, defineRpc, encodePageToken, isTimeAndId, pageSizeOf } from "@marquee/mesh";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import type { Catalog } from "../catalog.js";
import { ownerFilterOf } from "../domain/access.js";
import { listVenues as listVenueRows, venueMessages } from "../store/venues.js";

const pageSize = { default: 50, max: 200 } as const;

/** CatalogService.ListVenues: the caller's venues (an admin's: all), newest first, without their seats. */
export const listVenues = defineRpc(CatalogService.method.listVenues, {
  rules(request, check) {
    check.that("page_size", request.pageSize >= 0, "must not be negative");
  },
  handler({ orm }: Catalog) {
    return async (request, call) => {
      const em = orm.em.fork();
      const ownerId = ownerFilterOf(call.principal);
      const after = decodePageToken("venues", null, request.pageToken, isTimeAndId);
      const limit = pageSizeOf(request.pageSize, pageSize);
      const rows = await listVenueRows(em, ownerId, after, limit + 1);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        venues: await venueMessages(em, page),
        nextPageToken:
          rows.length > limit && last
            ? encodePageToken("venues", null, { t: last.createTime.toISOString(), id: last.id })
            : "",
      };
    };
  },
});
