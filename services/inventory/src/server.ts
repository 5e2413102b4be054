import "@marquee/mesh/telemetry";
import { hostname } from "node:os";
import {
  createClient,
  createLogger,
  createServiceTokenMinter,
  openDatabase,
  readSigningKey,
  runService,
  startRelay,
} from "@marquee/mesh";
import { CatalogInternalService } from "@marquee/proto/marquee/catalog/v1/catalog_internal_pb.js";
import { Cluster, Redis } from "ioredis";
import { followCatalog } from "./background/catalog-events.js";
import { startSweeper } from "./background/sweeper.js";
import { loadServiceConfig, schema } from "./config.js";
import { entities } from "./entities/index.js";
import { AvailabilityFeed } from "./feed/availability-feed.js";
import { Inventory } from "./inventory.js";
import { migrations } from "./migrations/index.js";
import { inventoryServices } from "./rpc/index.js";
import { HoldStore } from "./store/hold-store.js";
import { SeatingCache } from "./store/seating-cache.js";

const config = loadServiceConfig();
const log = createLogger(config.OTEL_SERVICE_NAME, config.LOG_LEVEL);
const orm = await openDatabase({ url: config.DATABASE_URL, schema, entities, migrations, logger: log });
// Connects in the background and reconnects forever; calls fail fast while it is down (UNAVAILABLE) and
// readiness reports the outage. Scripts lost in a Redis restart are reloaded on NOSCRIPT.
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
redis.on("error", (error: Error) => log.warn({ err: error }, "redis connection failed"));
const serviceToken = createServiceTokenMinter({
  service: "inventory",
  signingKey: await readSigningKey(config.AUTH_SIGNING_KEY_FILE),
});
const catalog = createClient(CatalogInternalService, {
  address: config.CATALOG_ADDR,
  upstream: "catalog",
  serviceToken: () => serviceToken.token(),
});
// Seat state may live in a Redis Cluster (scaling one shard per hot event); the event bus stays on REDIS_URL.
// Auto-pipelining sends the hold scripts of one event-loop tick in one write: in an on-sale burst that is
// most of ioredis's cost per hold.
const seats = config.REDIS_CLUSTER_NODES
  ? new Cluster(clusterNodes(config.REDIS_CLUSTER_NODES), { enableAutoPipelining: true })
  : new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableAutoPipelining: true });
seats.on("error", (error: Error) => log.warn({ err: error }, "redis (seat state) connection failed"));
const store = new HoldStore(seats);
const inventory = new Inventory(store, seats, orm, new SeatingCache(catalog), new AvailabilityFeed(seats, log), log);
const replica = `${hostname()}-${process.pid}`;

await runService({
  log,
  port: config.PORT,
  metricsPort: config.METRICS_PORT,
  jwksUrl: config.AUTH_JWKS_URL,
  services: inventoryServices(inventory),
  readiness: [
    async () => {
      await orm.em.fork().execute("select 1");
    },
    async () => {
      await redis.ping();
    },
    async () => {
      await seats.ping();
    },
  ],
  background: [
    startRelay({ orm, redis, source: "inventory", logger: log }),
    followCatalog(inventory, redis, replica),
    startSweeper(inventory, { intervalMs: config.SWEEP_INTERVAL_MS }),
    { stop: async () => inventory.feed.close() },
  ],
  close: [
    () => orm.close(),
    async () => catalog.close(),
    async () => seats.disconnect(),
    async () => redis.disconnect(),
  ],
});

function clusterNodes(list: string): { host: string; port: number }[] {
  return list.split(",").map((node) => {
    const [host = "", port = ""] = node.trim().split(":");
    return { host, port: Number(port) };
  });
}
