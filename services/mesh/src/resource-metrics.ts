import type { PostgreSqlConnection } from "@mikro-orm/postgresql";
import type { Cluster, Redis } from "ioredis";
import type { Pool } from "pg";
import { Gauge } from "prom-client";
import type { Database } from "./database.js";
import { metricsRegistry } from "./metrics.js";

/** The PostgreSQL pools of this process, by schema. */
const pools = new Map<string, Pool>();
/** The Redis connections of this process, by what they are for. */
const redisClients = new Map<string, Redis | Cluster>();

new Gauge({
  name: "marquee_db_pool_connections",
  help: "The process's PostgreSQL pool by state: total connections open, idle ones, and calls waiting for one (waiting above zero means the pool is too small for the load).",
  labelNames: ["schema", "state"] as const,
  registers: [metricsRegistry],
  collect() {
    for (const [schema, pool] of pools) {
      this.set({ schema, state: "total" }, pool.totalCount);
      this.set({ schema, state: "idle" }, pool.idleCount);
      this.set({ schema, state: "waiting" }, pool.waitingCount);
    }
  },
});

new Gauge({
  name: "marquee_redis_up",
  help: "1 while the Redis connection is ready, 0 while it connects or reconnects.",
  labelNames: ["client"] as const,
  registers: [metricsRegistry],
  collect() {
    for (const [client, redis] of redisClients) this.set({ client }, redis.status === "ready" ? 1 : 0);
  },
});

/** Reports `orm`'s connection pool on each scrape, labelled with its schema. */
export async function trackDatabasePool(orm: Database): Promise<void> {
  const connection = orm.em.getConnection() as unknown as PostgreSqlConnection;
  pools.set(orm.config.get("schema") ?? "public", await connection.getNativeClient());
}

/** Reports whether `redis` (e.g. "event-bus", "holds") is connected on each scrape. */
export function trackRedis(client: string, redis: Redis | Cluster): void {
  redisClients.set(client, redis);
}
