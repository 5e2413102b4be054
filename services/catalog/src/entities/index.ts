import { EventEntity } from "./event.js";
import { EventSeatEntity } from "./event-seat.js";
import { EventSectionEntity } from "./event-section.js";
import { VenueEntity } from "./venue.js";
import { VenueSeatEntity } from "./venue-seat.js";
import { VenueSectionEntity } from "./venue-section.js";

export { EventEntity, EventSeatEntity, EventSectionEntity, VenueEntity, VenueSeatEntity, VenueSectionEntity };

/** Every entity of the catalog, for `openDatabase`. */
export const entities = [
  VenueEntity,
  VenueSectionEntity,
  VenueSeatEntity,
  EventEntity,
  EventSectionEntity,
  EventSeatEntity,
];
