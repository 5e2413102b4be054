import { EventBusMigration } from "@marquee/mesh";
import { CreateReadModel } from "./create-read-model.js";

/** Every migration of the search service, oldest first: the event bus's outbox and inbox, then the read model. */
export const migrations = [EventBusMigration, CreateReadModel];
