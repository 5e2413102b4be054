// Runs the inventory's pending migrations and exits: `npm run migrate`, the launcher, the chart's job.
import { createLogger, runMigrations } from "@marquee/mesh";
import { loadMigrationConfig, schema } from "./config.js";
import { entities } from "./entities/index.js";
import { migrations } from "./migrations/index.js";

const config = loadMigrationConfig();
const logger = createLogger("inventory-migrate", config.LOG_LEVEL);
await runMigrations({ url: config.DATABASE_URL, schema, entities, migrations, logger });
