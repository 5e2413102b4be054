import type { RowGenerator } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";

/** The class of a seat that names none. */
export const defaultSeatClass = "standard";

/** Bounds of a RowGenerator, as resources.proto states them. */
export const generatorLimits = { maxRows: 500, maxSeatsPerRow: 500 } as const;

/** A seat before the venue gives it an id: what a listed row or a generator says of it. */
export interface SeatLayout {
  /** The id the request gave, or "" for one derived from the labels. */
  readonly id: string;
  readonly label: string;
  readonly x: number;
  readonly y: number;
  readonly seatClass: string;
  readonly isAccessible: boolean;
}

/** A row of seats in drawing order. */
export interface RowLayout {
  readonly label: string;
  readonly seats: readonly SeatLayout[];
}

const upperLetters = /^[A-Z]{1,3}$/;
const lowerLetters = /^[a-z]{1,3}$/;
const digits = /^\d{1,4}$/;

/** Whether `label` can start a generated sequence of row labels: 1 to 3 letters of one case, or 1 to 4 digits. */
export function isRowLabelSeed(label: string): boolean {
  return upperLetters.test(label) || lowerLetters.test(label) || digits.test(label);
}

/**
 * The labels of `count` rows starting at `first`: letters count as spreadsheet columns do (A … Z, AA, AB …
 * AZ, BA …; lower case stays lower), numbers by one keeping their width ("08", "09", "10").
 */
export function rowLabels(first: string, count: number): string[] {
  if (digits.test(first)) {
    const start = Number(first);
    return Array.from({ length: count }, (_, i) => String(start + i).padStart(first.length, "0"));
  }
  const isLower = lowerLetters.test(first);
  const start = lettersToNumber(first.toUpperCase());
  return Array.from({ length: count }, (_, i) => {
    const label = numberToLetters(start + i);
    return isLower ? label.toLowerCase() : label;
  });
}

/** Bijective base 26: A = 1, Z = 26, AA = 27. */
function lettersToNumber(letters: string): number {
  let value = 0;
  for (const letter of letters) value = value * 26 + (letter.charCodeAt(0) - 64);
  return value;
}

function numberToLetters(value: number): string {
  let letters = "";
  for (let rest = value; rest > 0; rest = Math.floor((rest - 1) / 26)) {
    letters = String.fromCharCode(65 + ((rest - 1) % 26)) + letters;
  }
  return letters;
}

/**
 * The rows a RowGenerator describes: `row_count` rows of `seats_per_row` seats numbered from 1, one map unit
 * apart, rows one unit apart from `origin_y` down, and one extra unit after each seat number listed in
 * `aisle_after_seats` (a 2+2 coach: `[2]`). The generator must be valid (see `planSeatMap`).
 */
export function generateRows(generator: RowGenerator): RowLayout[] {
  const labels = rowLabels(generator.firstRowLabel || "A", generator.rowCount);
  const aisles = [...new Set(generator.aisleAfterSeats)];
  const seatClass = generator.seatClass || defaultSeatClass;
  // The x of each seat number is the same in every row: compute it once.
  const xs = Array.from({ length: generator.seatsPerRow }, (_, i) => {
    const number = i + 1;
    const gapsBefore = aisles.filter((after) => after < number).length;
    return generator.originX + i + gapsBefore;
  });
  return labels.map((label, r) => ({
    label,
    seats: xs.map((x, i) => ({
      id: "",
      label: String(i + 1),
      x,
      y: generator.originY + r,
      seatClass,
      isAccessible: false,
    })),
  }));
}
