import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  borderStops,
  borderTrip,
  createEventOn,
  letteredCoach,
  startCatalog,
  type TestCatalog,
} from "@marquee/catalog/testing";
import { createLogger, type Database, type MeshClient } from "@marquee/mesh";
import {
  freePort,
  organizerToken,
  startService,
  type TestClusterNode,
  type TestServer,
  testUserIds,
  useStarted,
  wholeMinutesFromNow,
} from "@marquee/mesh/testing";
import {
  Category,
  type Event,
  EventKind,
  type EventSchema,
  type VenueSchema,
} from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { InventoryInternalService } from "@marquee/proto/marquee/inventory/v1/inventory_internal_pb.js";
import { InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import type { Cluster, Redis } from "ioredis";
import type { Inventory } from "../../src/inventory.js";
import { inventory } from "../../src/manifest.js";
import { eventTag } from "../../src/store/keys.js";

/** For tests that build parts of the inventory themselves. */
export const logger = createLogger("inventory-test", process.env.LOG_LEVEL ?? "silent");

/** A real catalog and a real inventory server over gRPC, PostgreSQL and Redis, with clients. */
export interface TestInventory {
  readonly catalog: TestCatalog;
  readonly inventory: Inventory;
  readonly orm: Database;
  /** The test Redis (the event bus; seat state too unless a Cluster was given). */
  readonly redis: Redis;
  readonly server: TestServer;
  /** InventoryService; pass `{ token }` per call. */
  readonly client: MeshClient<typeof InventoryService>;
  /** InventoryInternalService as the ordering service calls it. */
  readonly internal: MeshClient<typeof InventoryInternalService>;
}

/**
 * Starts a catalog and an inventory from their manifests, in schemas of their own on the test PostgreSQL
 * and Redis, each the other's upstream (catalog's CancelEvent closes sales in this inventory); seat state
 * on the Redis Cluster of `clusterNodes` when given, else in the test Redis. Changes reach watchers
 * without the production pause, seat maps are asked again on every use, and no background task runs: the
 * tests sweep and follow events themselves. `settings` override those and the manifest's defaults.
 */
export async function startInventory(
  clusterNodes?: readonly TestClusterNode[],
  settings: Readonly<Record<string, string>> = {},
): Promise<TestInventory & { close(): Promise<void> }> {
  // Each calls the other, so the catalog is told the inventory's port before the inventory serves on it.
  // Another server may take that free port meanwhile; one more try covers that race.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const catalog = await startCatalog({ inventory: `127.0.0.1:${port}` });
    try {
      return await startInventoryOn(port, catalog, clusterNodes, settings);
    } catch (error) {
      await catalog.close();
      if (attempt >= 2) throw error;
    }
  }
}

/**
 * Starts an inventory on `port` for `catalog`, which was told that port (`startCatalog({ inventory })`);
 * closing it closes the catalog too.
 */
export async function startInventoryOn(
  port: number,
  catalog: TestCatalog & { close(): Promise<void> },
  clusterNodes?: readonly TestClusterNode[],
  settings: Readonly<Record<string, string>> = {},
): Promise<TestInventory & { close(): Promise<void> }> {
  const service = await startService(inventory, {
    port,
    upstreams: { catalog: catalog.server.address },
    settings: {
      FEED_COALESCE_MS: "20",
      SEATING_REVALIDATE_MS: "0",
      REDIS_CLUSTER_NODES: (clusterNodes ?? []).map(({ host, port }) => `${host}:${port}`).join(","),
      ...settings,
    },
  });
  return {
    catalog,
    inventory: service.deps,
    orm: service.parts.orm,
    redis: service.parts.redis,
    server: service.server,
    client: await service.client(InventoryService),
    internal: await service.client(InventoryInternalService, { serviceName: "ordering" }),
    async close() {
      await service.close();
      await catalog.close();
    },
  };
}

/**
 * A catalog wired to a real inventory (started with it, closed with it), for catalog's tests of what
 * CancelEvent does: `useCatalog(startCatalogWithInventory)`.
 */
export async function startCatalogWithInventory(): Promise<
  TestCatalog & { readonly inventory: TestInventory; close(): Promise<void> }
> {
  const started = await startInventory();
  return { ...started.catalog, inventory: started, close: () => started.close() };
}

/** One inventory for the tests of the calling `describe`, started before them and stopped after. */
export function useInventory(
  clusterNodes?: () => Promise<readonly TestClusterNode[]>,
  settings?: Readonly<Record<string, string>>,
): TestInventory {
  return useStarted("the inventory", async () =>
    startInventory(clusterNodes ? await clusterNodes() : undefined, settings),
  );
}

type VenueInit = MessageInitShape<typeof VenueSchema>;
type EventInit = MessageInitShape<typeof EventSchema>;

const at = (days: number, hours = 0) => wholeMinutesFromNow({ days, hours });

/**
 * A hall: "stalls", 5 rows A–E of 10 "standard" seats (ids `stalls:A-1` … `stalls:E-10`), a "box" of one
 * row of 4 "premium" seats, and a general-admission "pit" of 50 places. 104 places in all.
 */
export const hall: VenueInit = {
  name: "Shilpakala Hall",
  city: "Dhaka",
  countryCode: "BD",
  timeZone: "Asia/Dhaka",
  sections: [
    {
      id: "stalls",
      name: "Stalls",
      layout: { case: "seated", value: { generator: { rowCount: 5, seatsPerRow: 10, seatClass: "standard" } } },
    },
    {
      id: "box",
      name: "Box",
      layout: {
        case: "seated",
        value: {
          rows: [
            {
              label: "A",
              seats: ["1", "2", "3", "4"].map((label, i) => ({ label, x: i, y: 0, seatClass: "premium" })),
            },
          ],
        },
      },
    },
    { id: "pit", name: "Pit", layout: { case: "generalAdmission", value: { capacity: 50 } } },
  ],
};

/** A concert in `hall`, with the hold policy given (default: the catalog's). */
export function concertIn(venueId: string, holdPolicy?: EventInit["holdPolicy"]): EventInit {
  return {
    kind: EventKind.EVENT,
    category: Category.CONCERT,
    title: "Chirkutt live",
    venueId,
    startTime: at(30),
    endTime: at(30, 3),
    currencyCode: "BDT",
    priceTiers: [
      { id: "pit", name: "Pit", price: { amountMinor: 100_000n }, sectionIds: ["pit"] },
      { id: "standard", name: "Standard", price: { amountMinor: 200_000n }, seatClasses: ["standard"] },
      { id: "premium", name: "Premium", price: { amountMinor: 500_000n }, seatClasses: ["premium"] },
    ],
    ...(holdPolicy ? { holdPolicy } : {}),
  };
}

/** The lettered 40-seat coach (ids `cabin:7-A`). */
export const coach: VenueInit = letteredCoach();

/** The coach's stops: four legs Dhaka → Faridpur → Jessore → Benapole → Kolkata. */
export const stops = borderStops;

/** The Dhaka → Kolkata trip on `coach`, a fare per leg, with the hold policy given. */
export function tripOn(venueId: string, holdPolicy?: EventInit["holdPolicy"]): EventInit {
  return borderTrip(venueId, holdPolicy ? { overrides: { holdPolicy } } : {});
}

/** Publishes `event` on a new `venue` as a fresh organizer; returns the published event. */
export async function publish(
  catalog: TestCatalog,
  venue: VenueInit,
  event: (venueId: string) => EventInit,
): Promise<Event> {
  const token = await organizerToken(testUserIds.organizer);
  return (await createEventOn(catalog, token, venue, event)).event;
}

/** The ride from one stop to another. */
export function ride(boardingStopId: string, alightingStopId: string) {
  return { boardingStopId, alightingStopId };
}

/** Makes a live hold lapse now, as if its minutes had passed: GetHold says EXPIRED, the next sweep frees it. */
export async function expireNow(redis: Redis | Cluster, eventId: string, holdId: string): Promise<void> {
  const past = Date.now() - 1000;
  await redis.hset(`${eventTag(eventId)}:hold:${holdId}`, "expiresAtMs", past);
  await redis.zadd(`${eventTag(eventId)}:expiries`, past, holdId);
}

/** Types of the events in the inventory's outbox (the relay is not running in these tests). */
export async function outboxTypes(orm: Database): Promise<string[]> {
  const rows = await orm.em.fork().execute<{ type: string }[]>("select type from outbox order by seq");
  return rows.map((row) => row.type);
}

/** The ledger's rows of an event. */
export async function soldRows(orm: Database, eventId: string) {
  return orm.em
    .fork()
    .execute<{ seat_index: number; leg: number; order_id: string }[]>(
      "select seat_index, leg, order_id from sold_seat where event_id = ? order by seat_index, leg",
      [eventId],
    );
}
