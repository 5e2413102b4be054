import { EventBusMigration } from "@marquee/mesh";
import { CreateClosedEventTable } from "./create-closed-event-table.js";
import { CreateSoldSeatTable } from "./create-sold-seat-table.js";
import { WidenSoldSeatLegs } from "./widen-sold-seat-legs.js";

/**
 * Every migration of inventory, oldest first: the event bus's outbox and inbox, then the sold-seat ledger,
 * then its legs widened to 32, then the events whose sales are closed.
 */
export const migrations = [EventBusMigration, CreateSoldSeatTable, WidenSoldSeatLegs, CreateClosedEventTable];
