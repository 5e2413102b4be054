import type { Checker } from "@marquee/mesh";
import type { Section } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import {
  defaultSeatClass,
  generateRows,
  generatorLimits,
  isRowLabelSeed,
  type RowLayout,
  type SeatLayout,
} from "./seat-generator.js";
import { seatIdOf, sectionIds } from "./seat-ids.js";

/** Bounds of a venue's seat map. */
export const seatMapLimits = {
  maxSections: 200,
  /**
   * Seats of one venue, counted before anything is generated. No message carries them all: venue
   * responses carry sections only, and seats are listed in pages (ListVenueSeats, ListSeats).
   */
  maxSeats: 100_000,
  maxGeneralAdmissionCapacity: 200_000,
  maxNameLength: 100,
  maxLabelLength: 16,
  maxSeatClassLength: 32,
  maxSeatIdLength: 64,
  /** Seat-level checks stop after this many violations, so one bad generator cannot answer a megabyte. */
  maxViolations: 100,
} as const;

/** One seat of a planned map, in map order, with its venue-wide dense index. */
export interface PlannedSeat {
  readonly index: number;
  readonly id: string;
  readonly sectionId: string;
  readonly rowLabel: string;
  readonly label: string;
  readonly x: number;
  readonly y: number;
  readonly seatClass: string;
  readonly isAccessible: boolean;
}

/** One section of a planned map. */
export interface PlannedSection {
  readonly position: number;
  readonly id: string;
  readonly name: string;
  readonly isGeneralAdmission: boolean;
  /** Seats of a seated section, places of a general-admission one. */
  readonly capacity: number;
  /** Bounding box of the section's seats; zero for general admission. */
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
}

/** A venue's seat map as stored: sections, then every seat in map order (section, row, seat). */
export interface SeatMapPlan {
  readonly sections: readonly PlannedSection[];
  readonly seats: readonly PlannedSeat[];
  /** Seats plus general-admission places. */
  readonly capacity: number;
}

/** How many seats the sections would have, counted before any generator is expanded. */
function seatCountOf(sections: readonly Section[]): number {
  let count = 0;
  for (const section of sections) {
    if (section.layout.case !== "seated") continue;
    const { rows, generator } = section.layout.value;
    if (generator !== undefined && rows.length === 0) {
      count += Math.max(0, generator.rowCount) * Math.max(0, generator.seatsPerRow);
    }
    for (const row of rows) count += row.seats.length;
  }
  return count;
}

/** Checks a generator; returns whether it can be expanded. */
function checkGenerator(section: Section, check: Checker, path: string): boolean {
  if (section.layout.case !== "seated" || section.layout.value.generator === undefined) return false;
  const generator = section.layout.value.generator;
  const ok = [
    check.range(`${path}.row_count`, generator.rowCount, 1, generatorLimits.maxRows),
    check.range(`${path}.seats_per_row`, generator.seatsPerRow, 1, generatorLimits.maxSeatsPerRow),
    check.that(
      `${path}.first_row_label`,
      generator.firstRowLabel === "" || isRowLabelSeed(generator.firstRowLabel),
      "must be 1 to 3 letters of one case or 1 to 4 digits",
    ),
    check.maxLength(`${path}.seat_class`, generator.seatClass, seatMapLimits.maxSeatClassLength),
    check.that(`${path}.origin_x`, Number.isFinite(generator.originX), "must be a finite number"),
    check.that(`${path}.origin_y`, Number.isFinite(generator.originY), "must be a finite number"),
  ];
  generator.aisleAfterSeats.forEach((after, i) => {
    ok.push(check.range(`${path}.aisle_after_seats[${i}]`, after, 1, Math.max(1, generator.seatsPerRow - 1)));
  });
  return ok.every(Boolean);
}

/** Checks listed rows seat by seat. */
function checkRows(rows: readonly RowLayout[], check: Checker, path: string): void {
  const labels = new Set<string>();
  rows.forEach((row, r) => {
    const rowPath = `${path}[${r}]`;
    if (check.required(`${rowPath}.label`, row.label)) {
      check.maxLength(`${rowPath}.label`, row.label, seatMapLimits.maxLabelLength);
      check.that(`${rowPath}.label`, !labels.has(row.label), `repeats ${JSON.stringify(row.label)}`);
      labels.add(row.label);
    }
    check.that(`${rowPath}.seats`, row.seats.length > 0, "needs at least one seat");
    const seatLabels = new Set<string>();
    row.seats.forEach((seat, s) => {
      if (check.violations.length >= seatMapLimits.maxViolations) return;
      const seatPath = `${rowPath}.seats[${s}]`;
      if (check.required(`${seatPath}.label`, seat.label)) {
        check.maxLength(`${seatPath}.label`, seat.label, seatMapLimits.maxLabelLength);
        check.that(`${seatPath}.label`, !seatLabels.has(seat.label), `repeats ${JSON.stringify(seat.label)}`);
        seatLabels.add(seat.label);
      }
      check.maxLength(`${seatPath}.id`, seat.id, seatMapLimits.maxSeatIdLength);
      check.maxLength(`${seatPath}.seat_class`, seat.seatClass, seatMapLimits.maxSeatClassLength);
      check.that(`${seatPath}.x`, Number.isFinite(seat.x), "must be a finite number");
      check.that(`${seatPath}.y`, Number.isFinite(seat.y), "must be a finite number");
    });
  });
}

/**
 * Checks the sections of a venue and expands them into the stored seat map: ids assigned (sections from
 * their names, seats from their labels), generators expanded, every seat given a dense index in map
 * order, capacities and bounding boxes computed. Violations go to `check` under `path` (e.g.
 * `venue.sections`); the plan is meaningful only when there are none.
 */
export function planSeatMap(sections: readonly Section[], check: Checker, path: string): SeatMapPlan {
  const empty: SeatMapPlan = { sections: [], seats: [], capacity: 0 };
  if (!check.that(path, sections.length > 0, "needs at least one section")) return empty;
  if (
    !check.that(
      path,
      sections.length <= seatMapLimits.maxSections,
      `must have at most ${seatMapLimits.maxSections} sections`,
    )
  ) {
    return empty;
  }
  const seatCount = seatCountOf(sections);
  if (
    !check.that(path, seatCount <= seatMapLimits.maxSeats, `has ${seatCount} seats; at most ${seatMapLimits.maxSeats}`)
  ) {
    return empty;
  }
  const ids = sectionIds(sections, check, path);
  const planned: PlannedSection[] = [];
  const seats: PlannedSeat[] = [];
  const seatIds = new Set<string>();
  let capacity = 0;

  sections.forEach((section, i) => {
    const sectionPath = `${path}[${i}]`;
    const sectionId = ids[i] ?? "";
    if (check.required(`${sectionPath}.name`, section.name)) {
      check.maxLength(`${sectionPath}.name`, section.name, seatMapLimits.maxNameLength);
    }
    const base = { position: i, id: sectionId, name: section.name };
    if (section.layout.case === "generalAdmission") {
      const places = section.layout.value.capacity;
      check.range(`${sectionPath}.general_admission.capacity`, places, 1, seatMapLimits.maxGeneralAdmissionCapacity);
      planned.push({ ...base, isGeneralAdmission: true, capacity: places, minX: 0, minY: 0, maxX: 0, maxY: 0 });
      capacity += places;
      return;
    }
    if (section.layout.case !== "seated") {
      check.that(`${sectionPath}.seated`, false, "set seated or general_admission");
      return;
    }
    const { rows, generator } = section.layout.value;
    let layout: readonly RowLayout[] = rows;
    let idPathOf = (r: number, s: number) => `${sectionPath}.seated.rows[${r}].seats[${s}].id`;
    if (generator !== undefined && rows.length > 0) {
      check.that(`${sectionPath}.seated.generator`, false, "set rows or generator, not both");
      return;
    }
    if (generator !== undefined) {
      if (!checkGenerator(section, check, `${sectionPath}.seated.generator`)) return;
      layout = generateRows(generator);
      idPathOf = () => `${sectionPath}.seated.generator`;
    } else if (!check.that(`${sectionPath}.seated.rows`, rows.length > 0, "set rows or generator")) {
      return;
    } else {
      checkRows(rows, check, `${sectionPath}.seated.rows`);
    }

    const first = seats.length;
    // Repeated labels or section ids make repeated seat ids too; those are reported already.
    const isClean = !check.violations.some((v) => v.field.startsWith(`${sectionPath}.`));
    layout.forEach((row, r) => {
      row.seats.forEach((seat: SeatLayout, s) => {
        const id = seat.id || seatIdOf(sectionId, row.label, seat.label);
        if (seatIds.has(id) && isClean && check.violations.length < seatMapLimits.maxViolations) {
          check.that(idPathOf(r, s), false, `seat id ${JSON.stringify(id)} is taken; give the seat an id`);
        }
        seatIds.add(id);
        seats.push({
          index: seats.length,
          id,
          sectionId,
          rowLabel: row.label,
          label: seat.label,
          x: seat.x,
          y: seat.y,
          seatClass: seat.seatClass || defaultSeatClass,
          isAccessible: seat.isAccessible,
        });
      });
    });
    const mine = seats.slice(first);
    planned.push({ ...base, isGeneralAdmission: false, capacity: mine.length, ...boundsOf(mine) });
    capacity += mine.length;
  });
  return { sections: planned, seats, capacity };
}

/** The bounding box of some seats (a loop: spreading 80,000 arguments into Math.min overflows the stack). */
function boundsOf(seats: readonly PlannedSeat[]): { minX: number; minY: number; maxX: number; maxY: number } {
  if (seats.length === 0) return { minX: 0, minY: 0, maxX: 0, maxY: 0 };
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const { x, y } of seats) {
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  return { minX, minY, maxX, maxY };
}
