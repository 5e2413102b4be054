import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { seatColumns } from "./seat-map-columns.js";

/** A seat of a venue's current seat map; replaced whole when the venue's sections change. */
export const VenueSeatEntity = defineEntity({
  name: "VenueSeat",
  tableName: "venue_seat",
  properties: { venueId: p.uuid().primary(), ...seatColumns },
});

/** A row of the venue_seat table. */
export type VenueSeatEntity = InferEntity<typeof VenueSeatEntity>;
