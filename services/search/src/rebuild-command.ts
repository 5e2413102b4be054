// `npm run rebuild -w @marquee/search`: empties the read model and replays catalog's and inventory's
// streams into it (see `rebuildReadModel`); the running service, or the next one started, does the replay.
import { createLogger, loadConfigOrExit, migrationSettingsOf, openDatabase, url } from "@marquee/mesh";
import { Redis } from "ioredis";
import { search } from "./manifest.js";
import { rebuildReadModel } from "./rebuild.js";

const config = loadConfigOrExit("search-rebuild", {
  ...migrationSettingsOf(search),
  REDIS_URL: url("Redis of the event bus, whose streams are replayed", undefined, ["redis", "rediss"]),
});
const log = createLogger("search-rebuild", config.LOG_LEVEL);
const database = search.database;
if (database === undefined) throw new Error("the search service declares no database");
const orm = await openDatabase({ url: config.DATABASE_URL, logger: log, ...database });
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3 });
try {
  await rebuildReadModel(orm, redis, log);
} finally {
  redis.disconnect();
  await orm.close();
}
