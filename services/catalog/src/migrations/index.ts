import { EventBusMigration } from "@marquee/mesh";
import { CreateCatalogTables } from "./create-catalog-tables.js";

/** Every migration of the catalog, oldest first: the event bus's outbox and inbox, then the catalog's own. */
export const migrations = [EventBusMigration, CreateCatalogTables];
