import type { MessageInitShape } from "@bufbuild/protobuf";
import type { SectionSchema, Venue, VenueSeat } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";

/**
 * A venue's seat map as the editor holds it: every seat explicit, with its position, so the organizer
 * can move, remove and reclass seats one by one. Grids are generated here, not sent as a RowGenerator,
 * because the server answers a generated section without its seats and a seat edited afterwards needs
 * the rows listed (catalog.proto: a seated section gives rows or a generator, not both).
 */
export interface EditorSeat {
  /** The seat's id on the server, kept so published events and other seats keep theirs; "" for a new seat. */
  readonly id: string;
  readonly label: string;
  readonly x: number;
  readonly y: number;
  readonly seatClass: string;
  readonly isAccessible: boolean;
  /** Removed in the editor: drawn faintly so it can be put back, and left out when saved. */
  readonly isRemoved: boolean;
}

export interface EditorRow {
  readonly label: string;
  readonly seats: readonly EditorSeat[];
}

export interface EditorSection {
  /** Stable within the editor (React keys, selection); the server id once saved. */
  readonly key: string;
  /** The server's section id; "" for a new section, which the server names from its name. */
  readonly id: string;
  readonly name: string;
  readonly isGeneralAdmission: boolean;
  /** Seated: the rows. General admission: none. */
  readonly rows: readonly EditorRow[];
  /** Places of a general-admission area. */
  readonly capacity: number;
  /**
   * Where a general-admission area is drawn. The contract keeps no position for one (its bounds are
   * zero), so it is the editor's own, laid out again on each load; seated sections are where their seats are.
   */
  readonly x: number;
  readonly y: number;
  /**
   * The grid the seats were generated from, while no seat has been edited since: such a section is sent
   * as a RowGenerator, a few bytes where listed rows of an arena's block would pass the BFF's request limit.
   */
  readonly grid?: GridSpec;
}

/** What a grid of seats is made from: the contract's RowGenerator, in the editor's words. */
export interface GridSpec {
  readonly rowCount: number;
  readonly seatsPerRow: number;
  readonly firstRowLabel: string;
  /** Seat numbers after which an aisle of one seat's width runs, e.g. [2] for a 2+2 coach. */
  readonly aisleAfterSeats: readonly number[];
  readonly seatClass: string;
}

/** The bounds resources.proto sets on a RowGenerator, kept for a grid the editor makes. */
export const gridLimits = { maxRows: 500, maxSeatsPerRow: 500 } as const;

/** The size a general-admission area is drawn at, in map units (one unit ≈ one seat). */
export const areaSize = { width: 8, height: 4 } as const;

export const defaultSeatClass = "standard";

/** Bijective base 26, as the server labels rows: A … Z, AA, AB …; numbers keep their width ("08", "09", "10"). */
export function rowLabels(first: string, count: number): string[] {
  if (/^\d{1,4}$/.test(first)) {
    const start = Number(first);
    return Array.from({ length: count }, (_, i) => String(start + i).padStart(first.length, "0"));
  }
  const isLower = /^[a-z]+$/.test(first);
  let start = 0;
  for (const letter of (first || "A").toUpperCase()) start = start * 26 + (letter.charCodeAt(0) - 64);
  return Array.from({ length: count }, (_, i) => {
    let letters = "";
    for (let rest = start + i; rest > 0; rest = Math.floor((rest - 1) / 26)) {
      letters = String.fromCharCode(65 + ((rest - 1) % 26)) + letters;
    }
    return isLower ? letters.toLowerCase() : letters;
  });
}

/** Whether the server takes `label` as the first of generated rows: 1 to 3 letters of one case, or 1 to 4 digits. */
export function isRowLabelSeed(label: string): boolean {
  return /^([A-Z]{1,3}|[a-z]{1,3}|\d{1,4})$/.test(label);
}

/**
 * The rows of a grid with its first seat at (originX, originY): seats one unit apart, rows one unit
 * apart, one more unit after each aisle seat number — the server's RowGenerator, seat for seat.
 */
export function generateRows(spec: GridSpec, originX: number, originY: number): EditorRow[] {
  const aisles = [...new Set(spec.aisleAfterSeats)];
  const xs = Array.from(
    { length: spec.seatsPerRow },
    (_, i) => originX + i + aisles.filter((after) => after < i + 1).length,
  );
  return rowLabels(spec.firstRowLabel, spec.rowCount).map((label, r) => ({
    label,
    seats: xs.map((x, i) => ({
      id: "",
      label: String(i + 1),
      x,
      y: originY + r,
      seatClass: spec.seatClass || defaultSeatClass,
      isAccessible: false,
      isRemoved: false,
    })),
  }));
}

/** The box a section takes on the map: its seats' (a seat is one unit wide), or a GA area's. */
export function boundsOfSection(section: EditorSection): { x: number; y: number; width: number; height: number } {
  const seats = section.rows.flatMap((row) => row.seats);
  if (section.isGeneralAdmission || seats.length === 0) {
    return { x: section.x, y: section.y, width: areaSize.width, height: areaSize.height };
  }
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const seat of seats) {
    minX = Math.min(minX, seat.x);
    minY = Math.min(minY, seat.y);
    maxX = Math.max(maxX, seat.x);
    maxY = Math.max(maxY, seat.y);
  }
  return { x: minX - 0.5, y: minY - 0.5, width: maxX - minX + 1, height: maxY - minY + 1 };
}

/** Where a section starts: its first seat's position (top left), or a general-admission area's corner. */
export function originOf(section: EditorSection): { x: number; y: number } {
  const seats = section.rows.flatMap((row) => row.seats);
  if (section.isGeneralAdmission || seats.length === 0) return { x: section.x, y: section.y };
  return { x: Math.min(...seats.map((seat) => seat.x)), y: Math.min(...seats.map((seat) => seat.y)) };
}

/** The section moved by (dx, dy) map units, its seats with it. */
export function moveSection(section: EditorSection, dx: number, dy: number): EditorSection {
  return {
    ...section,
    x: section.x + dx,
    y: section.y + dy,
    rows: section.rows.map((row) => ({
      ...row,
      seats: row.seats.map((seat) => ({ ...seat, x: seat.x + dx, y: seat.y + dy })),
    })),
  };
}

/** Where a new section goes: under everything on the map, two units apart, at the left edge. */
export function freeSpotBelow(sections: readonly EditorSection[]): { x: number; y: number } {
  const bottoms = sections.map((section) => {
    const box = boundsOfSection(section);
    return box.y + box.height;
  });
  return { x: 0, y: bottoms.length === 0 ? 0 : Math.ceil(Math.max(...bottoms)) + 2 };
}

/** Seats of a section a buyer can buy: those not removed. */
export function seatCountOf(section: EditorSection): number {
  return section.isGeneralAdmission
    ? section.capacity
    : section.rows.reduce((sum, row) => sum + row.seats.filter((seat) => !seat.isRemoved).length, 0);
}

/**
 * The editor's map from a venue as the server answers it (sections without seats) and its seats from
 * ListVenueSeats, which come in map order. General-admission areas are laid out in a row below the seats.
 */
export function editorSectionsOf(venue: Venue, seats: readonly VenueSeat[]): EditorSection[] {
  const rowsBySection = new Map<string, Map<string, EditorSeat[]>>();
  for (const seat of seats) {
    const rows = rowsBySection.get(seat.sectionId) ?? new Map<string, EditorSeat[]>();
    rowsBySection.set(seat.sectionId, rows);
    const row = rows.get(seat.rowLabel) ?? [];
    rows.set(seat.rowLabel, row);
    row.push({
      id: seat.id,
      label: seat.label,
      x: seat.x,
      y: seat.y,
      seatClass: seat.seatClass,
      isAccessible: seat.isAccessible,
      isRemoved: false,
    });
  }
  const seated = venue.sections.filter((section) => section.layout.case !== "generalAdmission");
  const maxY = Math.max(0, ...seated.map((section) => section.maxY));
  let nextAreaX = 0;
  return venue.sections.map((section) => {
    const isGeneralAdmission = section.layout.case === "generalAdmission";
    const rows = [...(rowsBySection.get(section.id) ?? new Map<string, EditorSeat[]>()).entries()].map(
      ([label, rowSeats]) => ({ label, seats: rowSeats }),
    );
    const areaX = nextAreaX;
    if (isGeneralAdmission) nextAreaX += areaSize.width + 2;
    return {
      key: section.id,
      id: section.id,
      name: section.name,
      isGeneralAdmission,
      rows,
      capacity: section.capacity,
      x: isGeneralAdmission ? areaX : section.minX,
      y: isGeneralAdmission ? (seated.length > 0 ? maxY + 3 : 0) : section.minY,
    };
  });
}

/** The sections as CreateVenue and UpdateVenue take them: rows listed, removed seats and emptied rows left out. */
export function sectionsForRequest(sections: readonly EditorSection[]): MessageInitShape<typeof SectionSchema>[] {
  return sections.map((section) => {
    const base = { id: section.id, name: section.name };
    if (section.isGeneralAdmission) {
      return { ...base, layout: { case: "generalAdmission", value: { capacity: section.capacity } } };
    }
    if (section.grid) {
      const { x: originX, y: originY } = originOf(section);
      const generator = { ...section.grid, aisleAfterSeats: [...section.grid.aisleAfterSeats], originX, originY };
      return { ...base, layout: { case: "seated", value: { generator } } };
    }
    const rows = section.rows
      .map((row) => ({
        label: row.label,
        seats: row.seats
          .filter((seat) => !seat.isRemoved)
          .map(({ id, label, x, y, seatClass, isAccessible }) => ({ id, label, x, y, seatClass, isAccessible })),
      }))
      .filter((row) => row.seats.length > 0);
    return { ...base, layout: { case: "seated", value: { rows } } };
  });
}

/** A seat of a section, by row and position in the row. */
export interface SeatRef {
  readonly row: number;
  readonly seat: number;
}

/** The section's rows with one seat changed. */
export function withSeatChanged(section: EditorSection, ref: SeatRef, change: Partial<EditorSeat>): EditorRow[] {
  return section.rows.map((row, r) =>
    r !== ref.row
      ? row
      : { ...row, seats: row.seats.map((seat, s) => (s === ref.seat ? { ...seat, ...change } : seat)) },
  );
}

/** The seat an arrow key leads to: along the row, or the nearest by x in the row above or below. */
export function seatNextTo(section: EditorSection, from: SeatRef, [dx, dy]: readonly [number, number]): SeatRef {
  const row = section.rows[from.row];
  if (!row) return { row: 0, seat: 0 };
  if (dx !== 0) return { row: from.row, seat: Math.max(0, Math.min(row.seats.length - 1, from.seat + dx)) };
  const target = section.rows[from.row + dy];
  const x = row.seats[from.seat]?.x ?? 0;
  if (!target || target.seats.length === 0) return from;
  let best = 0;
  target.seats.forEach((seat, s) => {
    if (Math.abs(seat.x - x) < Math.abs((target.seats[best]?.x ?? 0) - x)) best = s;
  });
  return { row: from.row + dy, seat: best };
}
