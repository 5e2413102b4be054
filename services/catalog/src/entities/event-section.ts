import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { sectionColumns } from "./seat-map-columns.js";

/** A section of a published event's frozen seat map, copied from its venue at publication. */
export const EventSectionEntity = defineEntity({
  name: "EventSection",
  tableName: "event_section",
  properties: { eventId: p.uuid().primary(), ...sectionColumns },
});

/** A row of the event_section table. */
export type EventSectionEntity = InferEntity<typeof EventSectionEntity>;
