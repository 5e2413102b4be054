import { randomUUID } from "node:crypto";
import { HoldStore } from "@marquee/inventory/store";
import { Redis } from "ioredis";
import { SupplyExhausted } from "../../support/load.js";
import { defaultPolicy, seatsPerHold, type Variant } from "../variant.js";

/**
 * Sized apart from BENCH_MAX_HOLDS_PER_S: Redis strings are cheap, and this variant runs far faster than
 * the others. 60,000 holds/s over the longest warm-up + window is provisioned, in events of a million seats.
 */
const rawMaxHoldsPerSecond = 60_000;
const seatsPerEvent = 1_000_000;
const seatsPerRow = 1_000;

/**
 * (a) The hold script itself: `HoldStore.hold` (EVALSHA of hold.lua over the event's keys) from this
 * process, over several ioredis connections, each carrying many calls at once (ioredis pipelines what is
 * sent while earlier calls are in flight). No gRPC, no auth, no seat-id mapping: the ceiling of the path.
 */
export const rawLua: Variant = {
  key: "raw_lua",
  title: "HoldStore.hold (EVALSHA hold.lua) from the bench process",
  async prepare(context) {
    const { config } = context;
    const connections = Array.from(
      { length: config.connections },
      () => new Redis(context.stack.redisUrl, { maxRetriesPerRequest: 1 }),
    );
    const stores = connections.map((redis) => new HoldStore(redis));
    await Promise.all(stores.map((store) => store.init()));
    const holds = Math.ceil((rawMaxHoldsPerSecond * (config.warmupMs + config.durationMs)) / 1000);
    const eventCount = Math.ceil((holds * seatsPerHold) / seatsPerEvent);
    const rows = Array.from({ length: seatsPerEvent / seatsPerRow }, (_, i) => ({
      firstSeatIndex: i * seatsPerRow,
      seatCount: seatsPerRow,
    }));
    const eventIds: string[] = [];
    for (let i = 0; i < eventCount; i++) {
      const eventId = randomUUID();
      await stores[0]?.loadEvent(eventId, seatsPerEvent, 1, rows);
      eventIds.push(eventId);
    }
    let next = 0;
    const groupsPerEvent = seatsPerEvent / seatsPerHold;
    return {
      setup:
        `${eventIds.length} event(s) of ${seatsPerEvent.toLocaleString("en-US")} seats loaded with HoldStore.loadEvent; ` +
        `${config.connections} ioredis connection(s), worker i on connection i mod ${config.connections}; ` +
        "seats handed out 4 consecutive at a time, a new user id per hold",
      operation: {
        async run(worker) {
          const n = next++;
          const eventId = eventIds[Math.floor(n / groupsPerEvent)];
          if (eventId === undefined) throw new SupplyExhausted(`all ${eventIds.length} raw events are held`);
          const first = (n % groupsPerEvent) * seatsPerHold;
          const outcome = await (stores[worker % stores.length] as HoldStore).hold({
            eventId,
            userId: `bench-raw-${n}`,
            seatIndexes: Array.from({ length: seatsPerHold }, (_, i) => first + i),
            legs: { fromLeg: 0, toLeg: 1 },
            policy: defaultPolicy,
          });
          if (outcome.kind !== "held") throw new Error(`hold refused: ${outcome.kind}`);
          return outcome;
        },
      },
      async close() {
        await Promise.all(connections.map((redis) => redis.quit()));
      },
    };
  },
};
