import {
  SeatState,
  type SectionAvailability,
  type WatchAvailabilityResponse,
} from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";

/** What the map knows of a ride's seats and sections, as WatchAvailability has told it so far. */
export interface Availability {
  readonly seats: ReadonlyMap<string, SeatState>;
  readonly sections: ReadonlyMap<string, SectionAvailability>;
  /** False until the first snapshot: seats are then drawn as unknown, never as free. */
  readonly isLive: boolean;
}

export const unknownAvailability: Availability = { seats: new Map(), sections: new Map(), isLive: false };

/**
 * The availability after one message of the stream. A snapshot replaces everything known (the server
 * sends one first, and again when this client fell behind); a change updates the seats and sections it
 * names. A message never mutates the one before, so React sees each as new.
 */
export function applyAvailability(before: Availability, message: WatchAvailabilityResponse): Availability {
  const seats = new Map(message.isSnapshot ? [] : before.seats);
  const sections = new Map(message.isSnapshot ? [] : before.sections);
  for (const seat of message.seats) seats.set(seat.seatId, seat.state);
  for (const section of message.sections) sections.set(section.sectionId, section);
  return { seats, sections, isLive: before.isLive || message.isSnapshot };
}

/** Whether a buyer may pick the seat now. */
export function isFree(availability: Availability, seatId: string): boolean {
  return availability.seats.get(seatId) === SeatState.AVAILABLE;
}
