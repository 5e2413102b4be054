import { p } from "@mikro-orm/core";

/**
 * The columns a section has in a venue's seat map and in an event's frozen copy of it, so that publishing
 * copies one into the other column for column.
 */
export const sectionColumns = {
  /** Drawing order within the map, from 0. */
  position: p.integer().primary(),
  /** The section id (a slug), unique within the map. */
  id: p.text(),
  name: p.text(),
  isGeneralAdmission: p.boolean(),
  /** Seats of a seated section, places of a general-admission one. */
  capacity: p.integer(),
  /** Bounding box of the seats; zero for general admission. */
  minX: p.double(),
  minY: p.double(),
  maxX: p.double(),
  maxY: p.double(),
};

/** The columns a seat has in a venue's seat map and in an event's frozen copy of it. */
export const seatColumns = {
  /** Dense position in map order (section, row, seat), 0 to seats-1: EventSeat.index once frozen. */
  seatIndex: p.integer().primary(),
  /** `<section>:<row>-<seat>` unless given, unique within the map. */
  id: p.text(),
  sectionId: p.text(),
  rowLabel: p.text(),
  label: p.text(),
  x: p.double(),
  y: p.double(),
  seatClass: p.text(),
  isAccessible: p.boolean(),
};
