import type { Cluster, Redis } from "ioredis";
import type { SeatBytes } from "../domain/availability.js";
import type { SeatWidth } from "../domain/legs.js";
import { changesKey, heldKey, metaKey, soldKey } from "./keys.js";

/** The seat bytes of an event with the availability-stream position they reflect. */
export interface SeatSnapshot extends SeatBytes {
  /** Id of the last entry of the event's change stream at the time of reading; "0-0" when it is empty. */
  readonly cursor: string;
}

/**
 * Reads an event's held and sold bytes, their width and the last id of its change stream in one MULTI:
 * every script changes the bytes and appends to the stream atomically, so the snapshot is exactly the state
 * after `cursor`, and a watcher resuming from `cursor` misses and repeats nothing. The width is read with
 * the bytes, from the event's `meta`, because it is what the load that wrote them chose: a caller's idea of
 * the event's legs could be older or newer. All the keys share the event's hash tag, so this works on Redis
 * Cluster too.
 */
export async function readSeatSnapshot(redis: Redis | Cluster, eventId: string): Promise<SeatSnapshot> {
  const replies = await redis
    .multi()
    .getBuffer(heldKey(eventId))
    .getBuffer(soldKey(eventId))
    .hget(metaKey(eventId), "width")
    .xrevrange(changesKey(eventId), "+", "-", "COUNT", 1)
    .exec();
  if (replies === null) throw new Error(`reading the seats of ${eventId} was aborted`);
  for (const [error] of replies) if (error) throw error;
  const [held, sold, width, last] = replies.map(([, value]) => value) as [
    Buffer | null,
    Buffer | null,
    string | null,
    [string, string[]][],
  ];
  return {
    held: held ?? Buffer.alloc(0),
    sold: sold ?? Buffer.alloc(0),
    width: seatWidthIn(width),
    cursor: last[0]?.[0] ?? "0-0",
  };
}

/**
 * The seat width an event's `meta` records. Events loaded before seats could be wider have no `width`,
 * and were all one byte a seat.
 */
export function seatWidthIn(recorded: string | null | undefined): SeatWidth {
  const width = Number(recorded ?? 1);
  if (width !== 1 && width !== 2 && width !== 4) throw new Error(`an event's meta records seat width ${recorded}`);
  return width;
}
