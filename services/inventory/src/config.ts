import { address, integer, loadConfigOrExit, oneOf, port, string, url } from "@marquee/mesh";

/** What `migrate.ts` needs: the database, and how much to log. */
const databaseSettings = {
  DATABASE_URL: url("PostgreSQL connection string; the sold-seat ledger lives in the schema `inventory`", undefined, [
    "postgres",
    "postgresql",
  ]),
  LOG_LEVEL: oneOf("log level", ["trace", "debug", "info", "warn", "error", "fatal", "silent"], "info"),
};

/** Every variable of the inventory process (README.md lists them). */
const settings = {
  PORT: port("gRPC port of InventoryService and InventoryInternalService", 50054),
  METRICS_PORT: port("port of the Prometheus /metrics endpoint", 9454),
  ...databaseSettings,
  REDIS_URL: url("Redis holding seat state and holds, the availability streams and the event bus", undefined, [
    "redis",
    "rediss",
  ]),
  REDIS_CLUSTER_NODES: string(
    "comma-separated host:port of a Redis Cluster for seat state and holds (one event per hash slot); empty: REDIS_URL holds them",
    "",
  ),
  CATALOG_ADDR: address("host:port of the catalog, for seat maps and hold policies"),
  AUTH_JWKS_URL: string("JWKS that verifies bearer tokens: an https URL, or a file path in development"),
  AUTH_SIGNING_KEY_FILE: string("ES256 private JWK this service signs its service tokens with (sub svc:inventory)"),
  SWEEP_INTERVAL_MS: integer("pause between two expiry sweeps over every loaded event", 1000, { min: 50, max: 60_000 }),
  OTEL_SERVICE_NAME: string("service name in traces and logs", "inventory"),
};

/** The schema the inventory's tables live in. */
export const schema = "inventory";

/** The service's configuration; exits naming every missing or bad variable. */
export function loadServiceConfig() {
  return loadConfigOrExit("inventory", settings);
}

/** The migration runner's configuration; exits naming every missing or bad variable. */
export function loadMigrationConfig() {
  return loadConfigOrExit("inventory", databaseSettings);
}
