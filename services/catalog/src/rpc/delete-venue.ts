import { defineRpc, failedPrecondition } from "@marquee/mesh";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import type { Catalog } from "../catalog.js";
import { VenueEntity } from "../entities/venue.js";
import { countActiveEventsOfVenue } from "../store/events.js";
import { manageableVenue } from "../store/lookups.js";

/** CatalogService.DeleteVenue: deletes a venue no draft or published event uses. */
export const deleteVenue = defineRpc(CatalogService.method.deleteVenue, {
  rules(request, check) {
    check.id("venue_id", request.venueId);
  },
  handler({ orm }: Catalog) {
    return async (request, call) => {
      await orm.em.fork().transactional(async (tx) => {
        // The write lock waits for events being created on the venue, which hold a share lock on it.
        const venue = await manageableVenue(tx, call.principal, request.venueId, "update");
        const inUse = await countActiveEventsOfVenue(tx, venue.id);
        if (inUse > 0) {
          throw failedPrecondition(`venue ${venue.id} is used by ${inUse} event(s) that are not cancelled`, [
            {
              type: "VENUE_IN_USE",
              subject: `venue:${venue.id}`,
              description: `${inUse} draft or published event(s) use it; delete or cancel them first`,
            },
          ]);
        }
        await tx.nativeDelete(VenueEntity, { id: venue.id });
      });
      return {};
    };
  },
});
