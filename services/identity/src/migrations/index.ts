import { EventBusMigration } from "@marquee/mesh";
import { CreateIdentityTables } from "./create-identity-tables.js";

/** Every migration of the identity service, oldest first: the event bus's outbox and inbox, then its own. */
export const migrations = [EventBusMigration, CreateIdentityTables];
