import { Checker, defineRpc, invalidArgument } from "@marquee/mesh";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import type { Catalog } from "../catalog.js";
import { planSeatMap } from "../domain/seat-map.js";
import { checkVenueDetails, updatableVenueFields } from "../domain/venue-rules.js";
import { draftsOfVenue, eventColumns, toEventMessage } from "../store/events.js";
import { manageableVenue } from "../store/lookups.js";
import { deleteSeatMap, insertSeatMap } from "../store/seat-maps.js";
import { venueMessage } from "../store/venues.js";

/** The fields an update names: those of its mask, or all for an empty mask. */
function fieldsOf(paths: readonly string[] | undefined): readonly string[] {
  return paths === undefined || paths.length === 0 ? updatableVenueFields : paths;
}

/**
 * CatalogService.UpdateVenue: changes the fields of the mask. New sections replace the whole map; events
 * published on the venue keep the map they froze, and its drafts show the venue as it is now.
 */
export const updateVenue = defineRpc(CatalogService.method.updateVenue, {
  rules(request, check) {
    if (!check.present("venue", request.venue) || request.venue === undefined) return;
    check.id("venue.id", request.venue.id);
    const paths = request.updateMask?.paths ?? [];
    paths.forEach((path, i) => {
      check.that(
        `update_mask.paths[${i}]`,
        (updatableVenueFields as readonly string[]).includes(path),
        `must be one of ${updatableVenueFields.join(", ")}`,
      );
    });
    const fields = fieldsOf(paths);
    checkVenueDetails(request.venue, check, "venue", fields);
    if (fields.includes("sections")) planSeatMap(request.venue.sections, check, "venue.sections");
  },
  handler({ orm }: Catalog) {
    return async (request, call) => {
      const input = request.venue;
      if (input === undefined) throw invalidArgument("venue", "is required"); // checked by updateVenueRules
      const fields = fieldsOf(request.updateMask?.paths);
      const em = orm.em.fork();
      const venue = await em.transactional(async (tx) => {
        // The write lock keeps a publication from freezing a map half replaced.
        const row = await manageableVenue(tx, call.principal, input.id, "update");
        if (fields.includes("name")) row.name = input.name;
        if (fields.includes("city")) row.city = input.city;
        if (fields.includes("address")) row.address = input.address;
        if (fields.includes("country_code")) row.countryCode = input.countryCode;
        if (fields.includes("time_zone")) row.timeZone = input.timeZone;
        if (fields.includes("sections")) {
          const plan = planSeatMap(input.sections, new Checker(), "venue.sections");
          await deleteSeatMap(tx, row.id);
          await insertSeatMap(tx, row.id, plan);
          row.capacity = plan.capacity;
        }
        row.updateTime = new Date();
        for (const draft of await draftsOfVenue(tx, row.id)) {
          const { venueName, city, cities, capacity } = eventColumns(toEventMessage(draft), row);
          Object.assign(draft, { venueName, city, cities, capacity });
        }
        await tx.flush();
        return row;
      });
      return { venue: await venueMessage(em, venue) };
    };
  },
});
