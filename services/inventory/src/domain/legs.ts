/**
 * Legs as the store keeps them: a bit per leg, bit i = leg i. Rides resolve to leg ranges by mesh's rules
 * (`legsOfRide`, `LegRange`, `MAX_LEGS` in @marquee/mesh); an event is leg 0. A seat's legs take 1, 2 or
 * 4 bytes, chosen per event when it is loaded (see `seatWidthOf`), so masks run up to 32 bits: they are
 * kept as unsigned numbers (0 … 2^32 − 1), never as the signed results of `|`.
 */

import { type LegRange, MAX_LEGS } from "@marquee/mesh";

/** Bytes per seat of an event's `held` and `sold` strings: 8, 16 or 32 legs. */
export type SeatWidth = 1 | 2 | 4;

/**
 * The narrowest seat width that holds `legCount` legs. An event or a coach of up to 8 legs keeps one byte
 * a seat, as before trips could be longer, so the common case pays nothing for long trains.
 */
export function seatWidthOf(legCount: number): SeatWidth {
  if (!Number.isInteger(legCount) || legCount < 1 || legCount > MAX_LEGS) {
    throw new RangeError(`${legCount} legs is not 1 to ${MAX_LEGS}`);
  }
  return legCount <= 8 ? 1 : legCount <= 16 ? 2 : 4;
}

/**
 * The bit mask of legs [fromLeg, toLeg): bit i set for leg i, unsigned. Throws on a range no seat can
 * hold. Powers of two rather than shifts: `1 << 32` is 1 in JavaScript, and `1 << 31` negative.
 */
export function legMask(fromLeg: number, toLeg: number): number {
  if (!Number.isInteger(fromLeg) || !Number.isInteger(toLeg) || fromLeg < 0 || toLeg <= fromLeg || toLeg > MAX_LEGS) {
    throw new RangeError(`legs [${fromLeg}, ${toLeg}) are not a range within ${MAX_LEGS} legs`);
  }
  return 2 ** toLeg - 2 ** fromLeg;
}

/** The legs set in a mask, ascending. `&` reads a mask as 32 bits, so leg 31 is found whatever its sign. */
export function legsOfMask(mask: number): number[] {
  const legs: number[] = [];
  for (let leg = 0; leg < MAX_LEGS; leg++) if (mask & (1 << leg)) legs.push(leg);
  return legs;
}

/** The range of a contiguous mask, as legMask made it. */
export function rangeOfMask(mask: number): LegRange {
  const legs = legsOfMask(mask);
  if (legs.length === 0) throw new RangeError("an empty leg mask has no range");
  return { fromLeg: legs[0] as number, toLeg: (legs.at(-1) as number) + 1 };
}
