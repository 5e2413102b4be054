import type { Cluster, Redis } from "ioredis";
import type { SeatBytes } from "../domain/availability.js";
import { changesKey, heldKey, soldKey } from "./keys.js";

/** The seat bytes of an event with the availability-stream position they reflect. */
export interface SeatSnapshot extends SeatBytes {
  /** Id of the last entry of the event's change stream at the time of reading; "0-0" when it is empty. */
  readonly cursor: string;
}

/**
 * Reads an event's held and sold bytes and the last id of its change stream in one MULTI: every script
 * changes the bytes and appends to the stream atomically, so the snapshot is exactly the state after
 * `cursor`, and a watcher resuming from `cursor` misses and repeats nothing. All three keys share the
 * event's hash tag, so this works on Redis Cluster too.
 */
export async function readSeatSnapshot(redis: Redis | Cluster, eventId: string): Promise<SeatSnapshot> {
  const replies = await redis
    .multi()
    .getBuffer(heldKey(eventId))
    .getBuffer(soldKey(eventId))
    .xrevrange(changesKey(eventId), "+", "-", "COUNT", 1)
    .exec();
  if (replies === null) throw new Error(`reading the seats of ${eventId} was aborted`);
  for (const [error] of replies) if (error) throw error;
  const [held, sold, last] = replies.map(([, value]) => value) as [Buffer | null, Buffer | null, [string, string[]][]];
  return { held: held ?? Buffer.alloc(0), sold: sold ?? Buffer.alloc(0), cursor: last[0]?.[0] ?? "0-0" };
}
