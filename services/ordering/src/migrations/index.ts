import { EventBusMigration } from "@marquee/mesh";
import { AllowFreeRefunds } from "./allow-free-refunds.js";
import { CreateEventCancellationTable } from "./create-event-cancellation-table.js";
import { CreateOrderingTables } from "./create-ordering-tables.js";

/** Every migration of ordering, oldest first: the event bus's outbox and inbox, then ordering's own. */
export const migrations = [EventBusMigration, CreateOrderingTables, AllowFreeRefunds, CreateEventCancellationTable];
