/**
 * Availability for a ride, computed from the per-leg seat bytes: a slot is SOLD for a ride when it is sold
 * on any of the ride's legs, HELD when held on any (and sold on none), else AVAILABLE. Pure functions over
 * the bytes the store reads in one step, so an answer is one consistent moment.
 */

import type { Seating } from "./seating.js";

/** A slot's state for a ride. */
export const SlotState = { Available: 0, Held: 1, Sold: 2 } as const;
export type SlotState = (typeof SlotState)[keyof typeof SlotState];

/** The per-leg bytes of every slot, as read together. */
export interface SeatBytes {
  readonly held: Uint8Array;
  readonly sold: Uint8Array;
}

/** Counts of one section for a ride. */
export interface SectionCounts {
  readonly sectionId: string;
  available: number;
  held: number;
  sold: number;
  readonly capacity: number;
}

/** The state of one slot for the ride's leg mask. */
export function slotState(bytes: SeatBytes, slot: number, legMask: number): SlotState {
  if (((bytes.sold[slot] ?? 0) & legMask) !== 0) return SlotState.Sold;
  if (((bytes.held[slot] ?? 0) & legMask) !== 0) return SlotState.Held;
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
