import { loadConfigOrExit } from "../config.js";
import { runMigrations } from "../database.js";
import { createLogger } from "../logger.js";
import { runService, type ServiceProcess } from "../run-service.js";
import { assembleService } from "./assemble.js";
import {
  migrationSettingsOf,
  type ServiceConfig,
  type ServiceDeclaration,
  type ServiceManifest,
  type Settings,
  settingsOf,
  type Upstreams,
} from "./manifest.js";

/**
 * A service's `src/server.ts`: reads its variables (exiting with every problem named), assembles it from
 * its manifest, serves it with `/metrics`, health and reflection, and stops gracefully on SIGTERM.
 */
export async function serve<S extends Settings, U extends Upstreams, D>(
  manifest: ServiceManifest<S, U, D>,
): Promise<ServiceProcess> {
  const config = loadConfigOrExit(manifest.name, settingsOf(manifest)) as ServiceConfig<S>;
  const log = createLogger(config.OTEL_SERVICE_NAME, config.LOG_LEVEL);
  const service = await assembleService(manifest, config, log);
  return runService({
    log,
    port: config.PORT,
    metricsPort: config.METRICS_PORT,
    jwksUrl: config.AUTH_JWKS_URL,
    verifier: service.verifier,
    services: service.implementations,
    readiness: service.readiness,
    background: service.background,
    close: service.closers,
  });
}

/**
 * A service's `src/migrate.ts` (`npm run migrate`, the launcher, the chart's job): runs the pending
 * migrations of its schema and exits. Returns the names of those that ran.
 */
export async function migrate(manifest: ServiceDeclaration): Promise<string[]> {
  const { database } = manifest;
  if (database === undefined) return [];
  const config = loadConfigOrExit(manifest.name, migrationSettingsOf(manifest));
  const logger = createLogger(`${manifest.name}-migrate`, config.LOG_LEVEL);
  return runMigrations({ url: config.DATABASE_URL, logger, ...database });
}
