import "@marquee/mesh/telemetry";
import { createLogger, openDatabase, runService, startRelay } from "@marquee/mesh";
import { Redis } from "ioredis";
import { loadServiceConfig, schema } from "./config.js";
import { entities } from "./entities/index.js";
import { migrations } from "./migrations/index.js";
import { catalogServices } from "./rpc/index.js";

const config = loadServiceConfig();
const log = createLogger(config.OTEL_SERVICE_NAME, config.LOG_LEVEL);
const orm = await openDatabase({ url: config.DATABASE_URL, schema, entities, migrations, logger: log });
// Connects in the background and reconnects forever; the relay retries and readiness reports the outage.
const redis = new Redis(config.REDIS_URL);
redis.on("error", (error: Error) => log.warn({ err: error }, "redis connection failed"));
const relay = startRelay({ orm, redis, source: "catalog", logger: log });

await runService({
  log,
  port: config.PORT,
  metricsPort: config.METRICS_PORT,
  jwksUrl: config.AUTH_JWKS_URL,
  services: catalogServices(orm),
  readiness: [
    async () => {
      await orm.em.fork().execute("select 1");
    },
    async () => {
      await redis.ping();
    },
  ],
  background: [relay],
  close: [() => orm.close(), async () => redis.disconnect()],
});
