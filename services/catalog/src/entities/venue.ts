import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/** A venue: its details here, its seat map in `venue_section` and `venue_seat`. */
export const VenueEntity = defineEntity({
  name: "Venue",
  tableName: "venue",
  properties: {
    id: p.uuid().primary(),
    /** The organizer who created it (the token's subject). */
    organizerId: p.text(),
    name: p.text(),
    city: p.text(),
    address: p.text(),
    countryCode: p.text(),
    timeZone: p.text(),
    /** Seats plus general-admission places. */
    capacity: p.integer(),
    createTime: p.datetime(),
    updateTime: p.datetime(),
  },
});

/** A row of the venue table. */
export type VenueEntity = InferEntity<typeof VenueEntity>;
