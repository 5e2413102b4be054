import { defineService, integer, string, trackRedis } from "@marquee/mesh";
import { CatalogInternalService } from "@marquee/proto/marquee/catalog/v1/catalog_internal_pb.js";
import { InventoryInternalService } from "@marquee/proto/marquee/inventory/v1/inventory_internal_pb.js";
import { InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { Cluster, Redis } from "ioredis";
import { followCatalog } from "./background/catalog-events.js";
import { startSweeper } from "./background/sweeper.js";
import { entities } from "./entities/index.js";
import { AvailabilityFeed } from "./feed/availability-feed.js";
import { Inventory } from "./inventory.js";
import { migrations } from "./migrations/index.js";
import * as rpcs from "./rpc/index.js";
import { HoldStore } from "./store/hold-store.js";
import { SeatingCache } from "./store/seating-cache.js";

/**
 * The inventory: seat state and holds per leg in Redis (a Redis Cluster when given), the sold-seat ledger
 * in PostgreSQL, live availability, the expiry sweeper, and the catalog's events it follows.
 */
export const inventory = defineService({
  name: "inventory",
  ports: { grpc: 50054, metrics: 9454 },
  upstreams: { catalog: CatalogInternalService },
  settings: {
    REDIS_CLUSTER_NODES: string(
      "comma-separated host:port of a Redis Cluster for seat state and holds (one event per hash slot); empty: REDIS_URL holds them",
      "",
    ),
    SWEEP_INTERVAL_MS: integer("pause between two expiry sweeps over every loaded event", 1000, {
      min: 50,
      max: 60_000,
    }),
    FEED_COALESCE_MS: integer("pause after each read of an event's changes, so watchers get them in batches", 100, {
      min: 0,
      max: 5000,
    }),
    SEATING_REVALIDATE_MS: integer(
      "how long a seat map and hold policy from catalog are used before asking again",
      15_000,
      {
        min: 0,
        max: 600_000,
      },
    ),
  },
  database: { schema: "inventory", entities, migrations },
  events: { source: "inventory" },
  services: [InventoryService, InventoryInternalService],
  rpcs: Object.values(rpcs),
  compose({ config, log, orm, redis, upstreams, replica }) {
    // Seat state may live in a Redis Cluster (one shard per hot event); the event bus stays on REDIS_URL.
    // Auto-pipelining sends the hold scripts of one event-loop tick in one write: in an on-sale burst that
    // is most of ioredis's cost per hold. Scripts lost in a Redis restart are reloaded on NOSCRIPT. On a
    // cluster the scripts stay out of it: ioredis picks an auto-pipeline's node by the first argument,
    // which for EVALSHA is the script's sha, not a key, so holds of events on different masters landed in
    // one pipeline and failed ("All keys in the pipeline should belong to the same slots allocation
    // group", redis/ioredis#2109).
    const seats = config.REDIS_CLUSTER_NODES
      ? new Cluster(clusterNodes(config.REDIS_CLUSTER_NODES), {
          enableAutoPipelining: true,
          autoPipeliningIgnoredCommands: ["evalsha", "eval"],
        })
      : new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableAutoPipelining: true });
    seats.on("error", (error: Error) => log.warn({ err: error }, "redis (seat state) connection failed"));
    trackRedis("seat-state", seats);
    const feed = new AvailabilityFeed(seats, log, { coalesceMs: config.FEED_COALESCE_MS });
    const seatings = new SeatingCache(upstreams.catalog, { revalidateAfterMs: config.SEATING_REVALIDATE_MS });
    const inventory = new Inventory(new HoldStore(seats), seats, orm, seatings, feed, log);
    return {
      deps: inventory,
      readiness: [
        async () => {
          await seats.ping();
        },
      ],
      background: [
        () => followCatalog(inventory, redis, replica),
        () => startSweeper(inventory, { intervalMs: config.SWEEP_INTERVAL_MS }),
      ],
      close: [() => feed.close(), () => seats.disconnect()],
    };
  },
});

function clusterNodes(list: string): { host: string; port: number }[] {
  return list.split(",").map((node) => {
    const [host = "", port = ""] = node.trim().split(":");
    return { host, port: Number(port) };
  });
}
