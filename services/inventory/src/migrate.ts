// Runs the inventory's pending migrations and exits: `npm run migrate`, the launcher, the chart's job.
import { createLogger, migrate, openDatabase } from "@marquee/mesh";
import { loadMigrationConfig, schema } from "./config.js";
import { entities } from "./entities/index.js";
import { migrations } from "./migrations/index.js";

const config = loadMigrationConfig();
const log = createLogger("inventory-migrate", config.LOG_LEVEL);
const orm = await openDatabase({ url: config.DATABASE_URL, schema, entities, migrations, logger: log });
try {
  const ran = await migrate(orm);
  log.info({ schema, ran }, ran.length > 0 ? "migrated" : "nothing to migrate");
} finally {
  await orm.close();
}
