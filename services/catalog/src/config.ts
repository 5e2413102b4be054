import { loadConfigOrExit, oneOf, port, string, url } from "@marquee/mesh";

/** What `migrate.ts` needs: the database, and how much to log. */
const databaseSettings = {
  DATABASE_URL: url("PostgreSQL connection string; the catalog keeps its tables in the schema `catalog`", undefined, [
    "postgres",
    "postgresql",
  ]),
  LOG_LEVEL: oneOf("log level", ["trace", "debug", "info", "warn", "error", "fatal", "silent"], "info"),
};

/** Every variable of the catalog process (README.md lists them). */
const settings = {
  PORT: port("gRPC port of CatalogService and CatalogInternalService", 50051),
  METRICS_PORT: port("port of the Prometheus /metrics endpoint", 9464),
  ...databaseSettings,
  REDIS_URL: url("Redis the outbox relay publishes events to (stream marquee.events.catalog)", undefined, [
    "redis",
    "rediss",
  ]),
  AUTH_JWKS_URL: string("JWKS that verifies bearer tokens: an https URL, or a file path in development"),
  OTEL_SERVICE_NAME: string("service name in traces and logs", "catalog"),
};

/** The schema the catalog's tables live in. */
export const schema = "catalog";

/** The service's configuration; exits naming every missing or bad variable. */
export function loadServiceConfig() {
  return loadConfigOrExit("catalog", settings);
}

/** The migration runner's configuration; exits naming every missing or bad variable. */
export function loadMigrationConfig() {
  return loadConfigOrExit("catalog", databaseSettings);
}
