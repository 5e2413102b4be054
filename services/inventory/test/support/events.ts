import { randomUUID } from "node:crypto";
import { testRedis } from "@marquee/mesh/testing";
import { Redis } from "ioredis";
import type { HoldPolicy } from "../../src/domain/holds.js";
import { HoldStore } from "../../src/store/hold-store.js";

/** A generous policy: cap 10, a minute per hold, two extensions. */
export const policy: HoldPolicy = { maxSeatsPerUser: 10, holdTtlMs: 60_000, extensions: 2 };

/** A fresh event id, so tests sharing the test Redis never share keys. */
export function newEventId(): string {
  return randomUUID();
}

/** A connection to the test Redis; the caller quits it. */
export async function connect(): Promise<Redis> {
  return new Redis(await testRedis(), { maxRetriesPerRequest: 3 });
}

/** Rows of `perRow` seats covering `seatCount` seats, front row first. */
export function rowsOf(seatCount: number, perRow: number): { firstSeatIndex: number; seatCount: number }[] {
  const rows = [];
  for (let first = 0; first < seatCount; first += perRow)
    rows.push({ firstSeatIndex: first, seatCount: Math.min(perRow, seatCount - first) });
  return rows;
}

/** A store over one connection for one `describe`. */
export function useStore(): { store: () => HoldStore; redis: () => Redis } {
  let redis: Redis | undefined;
  let store: HoldStore | undefined;
  before(async () => {
    redis = await connect();
    store = new HoldStore(redis);
    await store.init();
  });
  after(async () => {
    await redis?.quit();
  });
  return {
    store: () => store as HoldStore,
    redis: () => redis as Redis,
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
