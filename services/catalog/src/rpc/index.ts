import { type Database, implement, type ServiceImplementation } from "@marquee/mesh";
import { CatalogInternalService } from "@marquee/proto/marquee/catalog/v1/catalog_internal_pb.js";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { cancelEvent, cancelEventRules } from "./cancel-event.js";
import { createEvent, createEventRules } from "./create-event.js";
import { createVenue, createVenueRules } from "./create-venue.js";
import { deleteEvent, deleteEventRules } from "./delete-event.js";
import { deleteVenue, deleteVenueRules } from "./delete-venue.js";
import { getEvent, getEventRules } from "./get-event.js";
import { getHoldPolicy, getHoldPolicyRules } from "./get-hold-policy.js";
import { getPricing, getPricingRules } from "./get-pricing.js";
import { getSeatMap, getSeatMapRules } from "./get-seat-map.js";
import { getVenue, getVenueRules } from "./get-venue.js";
import { listEventSeats, listEventSeatsRules } from "./list-event-seats.js";
import { listEvents, listEventsRules } from "./list-events.js";
import { listMyEvents, listMyEventsRules } from "./list-my-events.js";
import { listSeats, listSeatsRules } from "./list-seats.js";
import { listVenues, listVenuesRules } from "./list-venues.js";
import { publishEvent, publishEventRules } from "./publish-event.js";
import { quotePrice, quotePriceRules } from "./quote-price.js";
import { streamEventSeats, streamEventSeatsRules } from "./stream-event-seats.js";
import { updateEvent, updateEventRules } from "./update-event.js";
import { updateVenue, updateVenueRules } from "./update-venue.js";

/** CatalogService over the catalog's database: one handler and one validator per RPC. */
export function catalogService(orm: Database): ServiceImplementation<typeof CatalogService> {
  return implement(
    CatalogService,
    {
      createVenue: createVenue(orm),
      getVenue: getVenue(orm),
      listVenues: listVenues(orm),
      updateVenue: updateVenue(orm),
      deleteVenue: deleteVenue(orm),
      createEvent: createEvent(orm),
      getEvent: getEvent(orm),
      listEvents: listEvents(orm),
      listMyEvents: listMyEvents(orm),
      updateEvent: updateEvent(orm),
      deleteEvent: deleteEvent(orm),
      publishEvent: publishEvent(orm),
      cancelEvent: cancelEvent(orm),
      getSeatMap: getSeatMap(orm),
      listSeats: listSeats(orm),
      quotePrice: quotePrice(orm),
    },
    [
      createVenueRules,
      getVenueRules,
      listVenuesRules,
      updateVenueRules,
      deleteVenueRules,
      createEventRules,
      getEventRules,
      listEventsRules,
      listMyEventsRules,
      updateEventRules,
      deleteEventRules,
      publishEventRules,
      cancelEventRules,
      getSeatMapRules,
      listSeatsRules,
      quotePriceRules,
    ],
  );
}

/** CatalogInternalService (service tokens only) over the catalog's database. */
export function catalogInternalService(orm: Database): ServiceImplementation<typeof CatalogInternalService> {
  return implement(
    CatalogInternalService,
    {
      getHoldPolicy: getHoldPolicy(orm),
      listEventSeats: listEventSeats(orm),
      streamEventSeats: streamEventSeats(orm),
      getPricing: getPricing(orm),
    },
    [getHoldPolicyRules, listEventSeatsRules, streamEventSeatsRules, getPricingRules],
  );
}

/** Both services, as the server serves them. */
export function catalogServices(orm: Database): ServiceImplementation[] {
  return [catalogService(orm), catalogInternalService(orm)];
}
