import type { EntityManager } from "@mikro-orm/postgresql";
import type { PlannedSeat, PlannedSection, SeatMapPlan } from "../domain/seat-map.js";

/**
 * Seat maps in SQL: a venue's current map (`venue_section`, `venue_seat`) and the frozen copy of each
 * published event (`event_section`, `event_seat`), which have the same columns. Seats go in and out in
 * bulk statements: a map has up to 100,000 of them, too many for the unit of work.
 */

/** Whose map: a venue's current one, or an event's frozen one. */
export interface SeatMapOwner {
  readonly kind: "venue" | "event";
  readonly id: string;
}

const tables = {
  venue: { sections: "venue_section", seats: "venue_seat", key: "venue_id" },
  event: { sections: "event_section", seats: "event_seat", key: "event_id" },
} as const;

/** A section as stored. */
export type MapSection = Omit<PlannedSection, "position">;

/** A seat as stored; `index` is its dense position in map order. */
export type MapSeat = Omit<PlannedSeat, "index"> & { readonly index: number };

/** Seats per insert statement. */
const insertBatch = 25_000;

/**
 * A PostgreSQL array literal of values, for `unnest(?::text[])` and the like. `em.execute` writes its
 * parameters into the statement's text, escaping them character by character: one short array literal
 * per column escapes and parses in a fraction of the time rows of JSON took (a 100,000-seat map's JSON
 * was 14 MB, its escaping alone seconds).
 */
function arrayLiteral(values: readonly (string | number | boolean)[]): string {
  const elements = values.map((value) =>
    typeof value === "string" ? `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"` : String(value),
  );
  return `{${elements.join(",")}}`;
}

/** Writes a venue's planned map. The venue must have none (see `deleteSeatMap`). */
export async function insertSeatMap(em: EntityManager, venueId: string, plan: SeatMapPlan): Promise<void> {
  await em.execute(
    `insert into venue_section (venue_id, position, id, name, is_general_admission, capacity, min_x, min_y, max_x, max_y)
     select ?, s.* from jsonb_to_recordset(?::jsonb) as s(position int, id text, name text, is_general_admission boolean,
       capacity int, min_x double precision, min_y double precision, max_x double precision, max_y double precision)`,
    [
      venueId,
      JSON.stringify(
        plan.sections.map((s) => ({
          position: s.position,
          id: s.id,
          name: s.name,
          is_general_admission: s.isGeneralAdmission,
          capacity: s.capacity,
          min_x: s.minX,
          min_y: s.minY,
          max_x: s.maxX,
          max_y: s.maxY,
        })),
      ),
    ],
  );
  for (let start = 0; start < plan.seats.length; start += insertBatch) {
    const batch = plan.seats.slice(start, start + insertBatch);
    const column = (value: (seat: PlannedSeat) => string | number | boolean) => arrayLiteral(batch.map(value));
    await em.execute(
      `insert into venue_seat (venue_id, seat_index, id, section_id, row_label, label, x, y, seat_class, is_accessible)
       select ?, * from unnest(?::int[], ?::text[], ?::text[], ?::text[], ?::text[], ?::float8[], ?::float8[],
         ?::text[], ?::boolean[])`,
      [
        venueId,
        column((seat) => seat.index),
        column((seat) => seat.id),
        column((seat) => seat.sectionId),
        column((seat) => seat.rowLabel),
        column((seat) => seat.label),
        column((seat) => seat.x),
        column((seat) => seat.y),
        column((seat) => seat.seatClass),
        column((seat) => seat.isAccessible),
      ],
    );
  }
}

/** Removes a venue's map, before writing its new one. */
export async function deleteSeatMap(em: EntityManager, venueId: string): Promise<void> {
  await em.execute("delete from venue_seat where venue_id = ?", [venueId]);
  await em.execute("delete from venue_section where venue_id = ?", [venueId]);
}

/**
 * Copies a venue's current map into an event's frozen one, in the caller's transaction. The caller holds
 * a lock on the venue row, so both statements copy the same version of the map.
 */
export async function freezeSeatMap(em: EntityManager, eventId: string, venueId: string): Promise<void> {
  await em.execute(
    `insert into event_section (event_id, position, id, name, is_general_admission, capacity, min_x, min_y, max_x, max_y)
     select ?, position, id, name, is_general_admission, capacity, min_x, min_y, max_x, max_y
     from venue_section where venue_id = ?`,
    [eventId, venueId],
  );
  await em.execute(
    `insert into event_seat (event_id, seat_index, id, section_id, row_label, label, x, y, seat_class, is_accessible)
     select ?, seat_index, id, section_id, row_label, label, x, y, seat_class, is_accessible
     from venue_seat where venue_id = ?`,
    [eventId, venueId],
  );
}

interface SectionRow {
  id: string;
  name: string;
  is_general_admission: boolean;
  capacity: number;
  min_x: number;
  min_y: number;
  max_x: number;
  max_y: number;
}

/** The sections of a map in drawing order. */
export async function sectionsOf(em: EntityManager, owner: SeatMapOwner): Promise<MapSection[]> {
  return (await sectionsOfMany(em, owner.kind, [owner.id])).get(owner.id) ?? [];
}

/** The sections of several maps of one kind, in drawing order, by owner id. */
export async function sectionsOfMany(
  em: EntityManager,
  kind: SeatMapOwner["kind"],
  ids: readonly string[],
): Promise<Map<string, MapSection[]>> {
  const { sections, key } = tables[kind];
  const rows = await em.execute<(SectionRow & { owner: string })[]>(
    `select ${key} as owner, id, name, is_general_admission, capacity, min_x, min_y, max_x, max_y
     from ${sections} where ${key} in (select (jsonb_array_elements_text(?::jsonb))::uuid) order by ${key}, position`,
    [JSON.stringify(ids)],
  );
  const byOwner = new Map<string, MapSection[]>();
  for (const row of rows) byOwner.set(row.owner, [...(byOwner.get(row.owner) ?? []), toSection(row)]);
  return byOwner;
}

function toSection(row: SectionRow): MapSection {
  return {
    id: row.id,
    name: row.name,
    isGeneralAdmission: row.is_general_admission,
    capacity: row.capacity,
    minX: row.min_x,
    minY: row.min_y,
    maxX: row.max_x,
    maxY: row.max_y,
  };
}

/** The seat classes found in each seated section of a map. */
export async function seatClassesOf(em: EntityManager, owner: SeatMapOwner): Promise<Map<string, string[]>> {
  const { seats, key } = tables[owner.kind];
  const rows = await em.execute<{ section_id: string; seat_class: string }[]>(
    `select distinct section_id, seat_class from ${seats} where ${key} = ? order by section_id, seat_class`,
    [owner.id],
  );
  const classes = new Map<string, string[]>();
  for (const row of rows) classes.set(row.section_id, [...(classes.get(row.section_id) ?? []), row.seat_class]);
  return classes;
}

interface SeatRow {
  seat_index: number;
  id: string;
  section_id: string;
  row_label: string;
  label: string;
  x: number;
  y: number;
  seat_class: string;
  is_accessible: boolean;
}

const seatSelect = "select seat_index, id, section_id, row_label, label, x, y, seat_class, is_accessible";

function toSeat(row: SeatRow): MapSeat {
  return {
    index: row.seat_index,
    id: row.id,
    sectionId: row.section_id,
    rowLabel: row.row_label,
    label: row.label,
    x: row.x,
    y: row.y,
    seatClass: row.seat_class,
    isAccessible: row.is_accessible,
  };
}

/** Up to `limit` seats of a map from index `fromIndex` on, in map order, optionally of one section. */
export async function seatPage(
  em: EntityManager,
  owner: SeatMapOwner,
  page: { readonly fromIndex: number; readonly limit: number; readonly sectionId?: string },
): Promise<MapSeat[]> {
  const { seats, key } = tables[owner.kind];
  const inSection = page.sectionId === undefined ? "" : "and section_id = ?";
  const params = [owner.id, page.fromIndex, ...(page.sectionId === undefined ? [] : [page.sectionId]), page.limit];
  const rows = await em.execute<SeatRow[]>(
    `${seatSelect} from ${seats} where ${key} = ? and seat_index >= ? ${inSection} order by seat_index limit ?`,
    params,
  );
  return rows.map(toSeat);
}

/** The seats of a map with the given ids (those that exist), by id. */
export async function seatsById(
  em: EntityManager,
  owner: SeatMapOwner,
  ids: readonly string[],
): Promise<Map<string, MapSeat>> {
  if (ids.length === 0) return new Map();
  const { seats, key } = tables[owner.kind];
  const rows = await em.execute<SeatRow[]>(
    `${seatSelect} from ${seats} where ${key} = ? and id in (select jsonb_array_elements_text(?::jsonb))`,
    [owner.id, JSON.stringify(ids)],
  );
  return new Map(rows.map((row) => [row.id, toSeat(row)]));
}

/** A section with the seat classes of its seats, as pricing and publishing need it. */
export type PricedMapSection = MapSection & { readonly seatClasses: readonly string[] };

/** The sections of a map with their seat classes. */
export async function pricedSectionsOf(em: EntityManager, owner: SeatMapOwner): Promise<PricedMapSection[]> {
  const [sections, classes] = await Promise.all([sectionsOf(em, owner), seatClassesOf(em, owner)]);
  return sections.map((section) => ({ ...section, seatClasses: classes.get(section.id) ?? [] }));
}
