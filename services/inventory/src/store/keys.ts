/**
 * Redis keys of an event. All share the hash tag `{ev:<eventId>}`, so they live in one Redis Cluster slot
 * and one script may touch them all. Every hold script declares the event's fixed keys as KEYS, in the one
 * order of {@link EVENT_KEY_NAMES}; `lua/common.lua` reads them back by that position.
 */

/**
 * The fixed keys of an event, by suffix, in KEYS order: `meta` is KEYS[1], `orders` KEYS[9]. Keep this
 * list and the `K_*` locals at the top of `lua/common.lua` in step.
 */
export const EVENT_KEY_NAMES = [
  "meta",
  "held",
  "sold",
  "expiries",
  "user-held",
  "user-sold",
  "rows",
  "changes",
  "orders",
] as const;

/** The key prefix of an event, its hash tag. */
export function eventTag(eventId: string): string {
  return `{ev:${eventId}}`;
}

/**
 * The KEYS of a hold script: the event's fixed keys in {@link EVENT_KEY_NAMES} order, then the keys of the
 * one hold or order the script acts on (KEYS[10] on), which each script's header names.
 */
export function scriptKeys(eventId: string, ...recordKeys: readonly string[]): string[] {
  const tag = eventTag(eventId);
  return [...EVENT_KEY_NAMES.map((name) => `${tag}:${name}`), ...recordKeys];
}

/** The hash of an event's shape (`seats`, `legs`, and `width`, the bytes per seat); KEYS[1] of every hold script. */
export function metaKey(eventId: string): string {
  return `${eventTag(eventId)}:meta`;
}

/** The event's availability stream, which WatchAvailability tails. */
export function changesKey(eventId: string): string {
  return `${eventTag(eventId)}:changes`;
}

/**
 * The `meta` hash's `width` bytes per seat index (1, 2 or 4, little-endian; 1 when absent): bit i set when
 * leg i is held.
 */
export function heldKey(eventId: string): string {
  return `${eventTag(eventId)}:held`;
}

/** As `heldKey`: bit i of a seat's bytes set when leg i is sold. */
export function soldKey(eventId: string): string {
  return `${eventTag(eventId)}:sold`;
}

/** A hold's record (a hash); `common.lua`'s `hold_key` derives the same name from the id. */
export function holdKey(eventId: string, holdId: string): string {
  return `${eventTag(eventId)}:hold:${holdId}`;
}

/** An order's sold seats (a hash, seat index → leg mask, and `user`); `common.lua`'s `order_key` likewise. */
export function orderKey(eventId: string, orderId: string): string {
  return `${eventTag(eventId)}:order:${orderId}`;
}
