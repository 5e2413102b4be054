/**
 * Ordering as a process of its own, for tests that kill it mid-saga: `serve` as production runs it, but
 * over the schema a test created (`ORDERING_SCHEMA`) instead of the manifest's. Started by
 * `spawnOrdering` (./ordering-child.ts), never by hand.
 */
import { assembleService, createLogger, loadConfig, runService, type ServiceConfig, settingsOf } from "@marquee/mesh";
import { ordering } from "../../src/manifest.js";

const config = loadConfig(settingsOf(ordering), process.env) as ServiceConfig<typeof ordering.settings>;
const log = createLogger("ordering-child", config.LOG_LEVEL);
const assembled = await assembleService(ordering, config, log, {
  ...(process.env.ORDERING_SCHEMA ? { schema: process.env.ORDERING_SCHEMA } : {}),
  migrate: false,
  background: true,
});
await runService({
  log,
  port: config.PORT,
  metricsPort: config.METRICS_PORT,
  jwksUrl: config.AUTH_JWKS_URL,
  verifier: assembled.verifier,
  services: assembled.implementations,
  readiness: assembled.readiness,
  background: assembled.background,
  close: assembled.closers,
});
