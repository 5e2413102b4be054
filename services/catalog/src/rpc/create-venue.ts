import { randomUUID } from "node:crypto";
import { Checker, callerIdOf, defineRpc, invalidArgument } from "@marquee/mesh";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import type { Catalog } from "../catalog.js";
import { planSeatMap } from "../domain/seat-map.js";
import { checkVenueDetails } from "../domain/venue-rules.js";
import { VenueEntity } from "../entities/venue.js";
import { insertSeatMap } from "../store/seat-maps.js";
import { venueMessage } from "../store/venues.js";

/** CatalogService.CreateVenue: a venue owned by the caller, generators expanded into rows, answered without seats. */
export const createVenue = defineRpc(CatalogService.method.createVenue, {
  rules(request, check) {
    if (!check.present("venue", request.venue) || request.venue === undefined) return;
    checkVenueDetails(request.venue, check, "venue");
    planSeatMap(request.venue.sections, check, "venue.sections");
  },
  handler({ orm }: Catalog) {
    return async (request, call) => {
      const input = request.venue;
      if (input === undefined) throw invalidArgument("venue", "is required"); // checked by createVenueRules
      const plan = planSeatMap(input.sections, new Checker(), "venue.sections");
      const now = new Date();
      const venue: VenueEntity = {
        id: randomUUID(),
        organizerId: callerIdOf(call),
        name: input.name,
        city: input.city,
        address: input.address,
        countryCode: input.countryCode,
        timeZone: input.timeZone,
        capacity: plan.capacity,
        createTime: now,
        updateTime: now,
      };
      const em = orm.em.fork();
      await em.transactional(async (tx) => {
        await tx.insert(VenueEntity, venue);
        await insertSeatMap(tx, venue.id, plan);
      });
      return { venue: await venueMessage(em, venue) };
    };
  },
});
