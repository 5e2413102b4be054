import { defineRpc } from "@marquee/mesh";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import type { Catalog } from "../catalog.js";
import { manageableVenue } from "../store/lookups.js";
import { venueMessage } from "../store/venues.js";

/** CatalogService.GetVenue: one of the caller's venues with its sections, without their seats (ListVenueSeats). */
export const getVenue = defineRpc(CatalogService.method.getVenue, {
  rules(request, check) {
    check.id("venue_id", request.venueId);
  },
  handler({ orm }: Catalog) {
    return async (request, call) => {
      const em = orm.em.fork();
      const venue = await manageableVenue(em, call.principal, request.venueId);
      return { venue: await venueMessage(em, venue) };
    };
  },
});
