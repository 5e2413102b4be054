import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { sectionColumns } from "./seat-map-columns.js";

/** A section of a venue's current seat map; replaced whole when the venue's sections change. */
export const VenueSectionEntity = defineEntity({
  name: "VenueSection",
  tableName: "venue_section",
  properties: { venueId: p.uuid().primary(), ...sectionColumns },
});

/** A row of the venue_section table. */
export type VenueSectionEntity = InferEntity<typeof VenueSectionEntity>;
