/**
 * One worker process of the inventory race (`e2e/inventory-race.test.ts` spawns several): it plays the
 * buyers it is given, each with a token of its own, on connections of its own. On "prepare" it mints the
 * tokens and opens every connection, then says "ready"; on "go" every buyer sends its HoldSeats at once.
 * A winner then commits, releases or lets its hold expire; a loser retries once on other seats after the
 * burst. It answers "done" with every call's record.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { Code, createClient, type MeshClient, mintDevToken } from "@marquee/mesh";
import { InventoryInternalService } from "@marquee/proto/marquee/inventory/v1/inventory_internal_pb.js";
import type { Hold } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { Redis } from "ioredis";
import { type BuyerApi, buyerApis, callErrorOf } from "./race-clients.js";
import {
  type AttemptRecord,
  type BuyerRecord,
  type Fate,
  type FateRecord,
  type FromWorker,
  fates,
  type HeldAnswer,
  type RaceOrder,
  type Route,
  type ToWorker,
} from "./race-protocol.js";

/** A winner keeps its hold this long at most before its fate, so holds overlap with the retries. */
const mostHoldMs = 600;
/**
 * Losers retry within this long after the burst, while winners commit, release and expire: spread out,
 * not a second burst, which on this 2-core box would queue calls past the BFF's upstream deadline.
 */
const retryWindowMs = 4000;

interface Buyer {
  readonly buyerId: string;
  readonly route: Route;
  readonly token: string;
  readonly api: BuyerApi;
}

interface Race {
  readonly order: RaceOrder;
  readonly buyers: readonly Buyer[];
  readonly internal: MeshClient<typeof InventoryInternalService>;
  readonly redis: Redis;
  close(): void;
}

function send(message: FromWorker): void {
  process.send?.(message);
}

const random = (low: number, high: number) => low + Math.floor(Math.random() * (high - low + 1));

/** `count` distinct seats, none of `avoid`. */
function pickSeats(seatIds: readonly string[], count: number, avoid: readonly string[] = []): string[] {
  const pool = seatIds.filter((seatId) => !avoid.includes(seatId));
  for (let i = pool.length - 1; i > 0; i--) {
    const j = random(0, i);
    [pool[i], pool[j]] = [pool[j] as string, pool[i] as string];
  }
  return pool.slice(0, count);
}

/** A random ride as its legs: boarding before alighting among the stops; an event's one leg otherwise. */
function pickLegs(stopIds: readonly string[]): number[] {
  if (stopIds.length === 0) return [0];
  const boarding = random(0, stopIds.length - 2);
  const alighting = random(boarding + 1, stopIds.length - 1);
  return Array.from({ length: alighting - boarding }, (_, i) => boarding + i);
}

async function prepare(order: RaceOrder): Promise<Race> {
  const signingKey = JSON.parse(readFileSync(order.signingKeyPath, "utf8"));
  const pools = new Map<Route, BuyerApi[]>();
  const poolOf = (route: Route) => {
    let pool = pools.get(route);
    if (pool === undefined) {
      pool = buyerApis(route, order.connectionsPerRoute, order.inventoryAddress, order.bffUrl);
      pools.set(route, pool);
    }
    return pool;
  };
  const buyers = await Promise.all(
    order.buyers.map(async ({ buyerId, route }, index) => {
      const pool = poolOf(route);
      return {
        buyerId,
        route,
        token: await mintDevToken(signingKey, { sub: buyerId, roles: ["customer"] }),
        api: pool[index % pool.length] as BuyerApi,
      };
    }),
  );
  // The ordering saga's identity: a service token, no roles.
  const serviceToken = await mintDevToken(signingKey, { sub: "svc:ordering" });
  const internal = createClient(InventoryInternalService, {
    address: order.inventoryAddress,
    timeoutMs: 60_000,
    serviceToken: async () => serviceToken,
  });
  const redis = new Redis(order.redisUrl, { maxRetriesPerRequest: 1 });
  // Every connection opens before the start signal: one call per HTTP/2 connection, and as many calls
  // at once over HTTP/1.1 as buyers will send there, so each finds a socket open.
  await Promise.all(
    [...pools].flatMap(([route, pool]) => {
      const calls = route === "bff-connect-json" ? buyers.filter((b) => b.route === route).length : pool.length;
      return Array.from({ length: calls }, (_, i) => (pool[i % pool.length] as BuyerApi).warmUp(order.eventId));
    }),
  );
  await redis.ping();
  return {
    order,
    buyers,
    internal,
    redis,
    close() {
      for (const pool of pools.values()) for (const api of pool) api.close();
      internal.close();
      redis.disconnect();
    },
  };
}

function heldAnswerOf(hold: Hold | undefined): HeldAnswer | undefined {
  if (hold === undefined) return undefined;
  return {
    id: hold.id,
    userId: hold.userId,
    seatIds: [...hold.seatIds],
    state: hold.state,
    boardingStopId: hold.ride?.boardingStopId ?? "",
    alightingStopId: hold.ride?.alightingStopId ?? "",
  };
}

async function attempt(race: Race, buyer: Buyer, seatIds: string[], legs: number[]): Promise<AttemptRecord> {
  const { eventId, stopIds } = race.order;
  const from = legs[0] as number;
  const ride =
    stopIds.length === 0
      ? {}
      : { ride: { boardingStopId: stopIds[from] ?? "", alightingStopId: stopIds[from + legs.length] ?? "" } };
  const sentAt = Date.now();
  try {
    const hold = await buyer.api.holdSeats({ eventId, seatIds, ...ride }, buyer.token);
    return { seatIds, legs, sentAt, answeredAt: Date.now(), ...(hold ? { hold: heldAnswerOf(hold) } : {}) };
  } catch (error) {
    return { seatIds, legs, sentAt, answeredAt: Date.now(), error: callErrorOf(error) };
  }
}

/** Commits, releases or expires a winner's hold after a while, as its fate says. */
async function settle(race: Race, buyer: Buyer, holdId: string, orderId: string): Promise<FateRecord> {
  await sleep(random(0, mostHoldMs));
  const kind = fates[random(0, fates.length - 1)] as Fate;
  const sentAt = Date.now();
  try {
    switch (kind) {
      case "commit": {
        const { hold } = await race.internal.commitHold({ holdId, orderId });
        return { kind, sentAt, answeredAt: Date.now(), orderId, ...(hold ? { state: hold.state } : {}) };
      }
      case "release": {
        const hold = await buyer.api.releaseHold(holdId, buyer.token);
        return { kind, sentAt, answeredAt: Date.now(), ...(hold ? { state: hold.state } : {}) };
      }
      case "expire": {
        await expireNow(race.redis, race.order.eventId, holdId);
        const answeredAt = Date.now();
        const hold = await buyer.api.getHold(holdId, buyer.token);
        return { kind, sentAt, answeredAt, ...(hold ? { state: hold.state } : {}) };
      }
    }
  } catch (error) {
    return { kind, sentAt, answeredAt: Date.now(), error: callErrorOf(error) };
  }
}

/**
 * Makes a live hold lapse now, as if its minutes had passed: its expiry, in the hold's record and in the
 * event's expiry index, moves into the past, and the running sweeper frees its seats. The keys are the
 * inventory's (services/inventory/src/store/keys.ts), as its own tests' `expireNow` writes them.
 */
async function expireNow(redis: Redis, eventId: string, holdId: string): Promise<void> {
  const past = Date.now() - 1000;
  await redis.hset(`{ev:${eventId}}:hold:${holdId}`, "expiresAtMs", past);
  await redis.zadd(`{ev:${eventId}}:expiries`, past, holdId);
}

/** A won attempt carried through its fate, committed to an order of its own; any other attempt as it is. */
async function settled(race: Race, buyer: Buyer, tried: AttemptRecord): Promise<AttemptRecord> {
  if (tried.hold === undefined) return tried;
  return { ...tried, fate: await settle(race, buyer, tried.hold.id, randomUUID()) };
}

/**
 * Every buyer's HoldSeats at once; each winner goes on to its fate at once, while the burst still runs.
 * The losers retry only once this worker's burst is answered, spread over a few seconds: the burst stays
 * the 2,000 first requests whose answer time is measured, and the retries meet the fates of the winners.
 */
async function play(race: Race): Promise<BuyerRecord[]> {
  const { seatIds, stopIds, seatsPerHold } = race.order;
  const firsts = race.buyers.map((buyer) =>
    attempt(race, buyer, pickSeats(seatIds, random(...seatsPerHold)), pickLegs(stopIds)),
  );
  const firstsSettled = race.buyers.map(async (buyer, i) =>
    settled(race, buyer, await (firsts[i] as Promise<AttemptRecord>)),
  );
  await Promise.all(firsts);
  return Promise.all(
    race.buyers.map(async (buyer, i) => {
      const first = await (firstsSettled[i] as Promise<AttemptRecord>);
      const attempts = [first];
      if (first.error?.code === Code.FailedPrecondition) {
        await sleep(random(0, retryWindowMs));
        const seats = pickSeats(seatIds, random(...seatsPerHold), first.seatIds);
        attempts.push(await settled(race, buyer, await attempt(race, buyer, seats, pickLegs(stopIds))));
      }
      return { buyerId: buyer.buyerId, route: buyer.route, attempts };
    }),
  );
}

let race: Race | undefined;

process.on("message", (message: ToWorker) => {
  const run = async () => {
    switch (message.type) {
      case "prepare":
        race = await prepare(message.order);
        send({ type: "ready" });
        return;
      case "go": {
        const goReceivedAt = Date.now();
        const current = race;
        if (current === undefined) throw new Error("go before prepare");
        const buyers = await play(current);
        current.close();
        race = undefined;
        send({ type: "done", goReceivedAt, buyers });
        return;
      }
      case "stop":
        race?.close();
        process.disconnect();
        return;
    }
  };
  run().catch((error: unknown) => {
    send({ type: "failed", error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  });
});

send({ type: "up" });
