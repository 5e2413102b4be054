/**
 * Redis keys of an event. All share the hash tag `{ev:<eventId>}`, so every key a script touches lives in
 * one Redis Cluster slot; the scripts derive the others from the meta key.
 */

/** The key prefix of an event, its hash tag. */
export function eventTag(eventId: string): string {
  return `{ev:${eventId}}`;
}

/** The hash of an event's shape (seats, legs); KEYS[1] of every hold script. */
export function metaKey(eventId: string): string {
  return `${eventTag(eventId)}:meta`;
}

/** The event's availability stream, which WatchAvailability tails. */
export function changesKey(eventId: string): string {
  return `${eventTag(eventId)}:changes`;
}

/** One byte per seat index: bit i set when leg i is held. */
export function heldKey(eventId: string): string {
  return `${eventTag(eventId)}:held`;
}

/** One byte per seat index: bit i set when leg i is sold. */
export function soldKey(eventId: string): string {
  return `${eventTag(eventId)}:sold`;
}
