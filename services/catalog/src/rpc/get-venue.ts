import { type Database, defineValidator, type HandlerOf } from "@marquee/mesh";
import { type CatalogService, GetVenueRequestSchema } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { manageableVenue } from "../store/lookups.js";
import { venueMessage } from "../store/venues.js";

export const getVenueRules = defineValidator(GetVenueRequestSchema, (request, check) => {
  if (check.required("venue_id", request.venueId)) check.uuid("venue_id", request.venueId);
});

/** CatalogService.GetVenue: one of the caller's venues with its whole seat map. */
export function getVenue(orm: Database): HandlerOf<typeof CatalogService.method.getVenue> {
  return async (request, call) => {
    const em = orm.em.fork();
    const venue = await manageableVenue(em, call.principal, request.venueId);
    return { venue: await venueMessage(em, venue, true) };
  };
}
