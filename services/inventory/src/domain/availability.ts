/**
 * Availability for a ride, computed from the per-leg seat state: a slot is SOLD for a ride when it is sold
 * on any of the ride's legs, HELD when held on any (and sold on none), else AVAILABLE. Pure functions over
 * the bytes the store reads in one step, so an answer is one consistent moment.
 */

import type { SeatWidth } from "./legs.js";
import type { Seating } from "./seating.js";

/** A slot's state for a ride. */
export const SlotState = { Available: 0, Held: 1, Sold: 2 } as const;
export type SlotState = (typeof SlotState)[keyof typeof SlotState];

/**
 * The per-leg state of every slot, as read together: `width` bytes a slot (the event's, from its `meta`),
 * little-endian, bit i of a slot's bytes = leg i.
 */
export interface SeatBytes {
  readonly held: Uint8Array;
  readonly sold: Uint8Array;
  readonly width: SeatWidth;
}

/** Counts of one section for a ride. */
export interface SectionCounts {
  readonly sectionId: string;
  available: number;
  held: number;
  sold: number;
  readonly capacity: number;
}

/**
 * The leg mask of one slot in a state string of `width` bytes a slot, unsigned; 0 past the string's end.
 */
export function legMaskAt(bytes: Uint8Array, width: SeatWidth, slot: number): number {
  if (width === 1) return bytes[slot] ?? 0;
  const at = slot * width;
  const low = (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8);
  if (width === 2) return low;
  return (low | ((bytes[at + 2] ?? 0) << 16) | ((bytes[at + 3] ?? 0) << 24)) >>> 0;
}

/** The state of one slot for the ride's leg mask. */
export function slotState(bytes: SeatBytes, slot: number, legMask: number): SlotState {
  // One byte a slot is every event and most trips: read it directly, as before trips could be longer.
  if (bytes.width === 1) {
    if (((bytes.sold[slot] ?? 0) & legMask) !== 0) return SlotState.Sold;
    if (((bytes.held[slot] ?? 0) & legMask) !== 0) return SlotState.Held;
    return SlotState.Available;
  }
  // `&` reads both as 32 bits, so a mask with leg 31 (2^31 and up) compares right.
  if ((legMaskAt(bytes.sold, bytes.width, slot) & legMask) !== 0) return SlotState.Sold;
  if ((legMaskAt(bytes.held, bytes.width, slot) & legMask) !== 0) return SlotState.Held;
  return SlotState.Available;
}

/** The state of every slot for the ride's leg mask. */
export function slotStates(seating: Seating, bytes: SeatBytes, legMask: number): Uint8Array {
  const states = new Uint8Array(seating.slotCount);
  for (let slot = 0; slot < seating.slotCount; slot++) states[slot] = slotState(bytes, slot, legMask);
  return states;
}

/** Per-section counts from slot states, in the seating's section order. */
export function sectionCounts(seating: Seating, states: Uint8Array): SectionCounts[] {
  const counts = seating.sections.map((section) => ({
    sectionId: section.sectionId,
    available: 0,
    held: 0,
    sold: 0,
    capacity: section.capacity,
  }));
  for (let slot = 0; slot < states.length; slot++) {
    const section = counts[seating.sectionPositionOf(slot)];
    if (section === undefined) continue;
    const state = states[slot];
    if (state === SlotState.Sold) section.sold++;
    else if (state === SlotState.Held) section.held++;
    else section.available++;
  }
  return counts;
}
