import { EventBusMigration } from "@marquee/mesh";
import { CreateSoldSeatTable } from "./create-sold-seat-table.js";

/** Every migration of inventory, oldest first: the event bus's outbox and inbox, then the sold-seat ledger. */
export const migrations = [EventBusMigration, CreateSoldSeatTable];
