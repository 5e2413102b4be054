import { EventBusMigration } from "@marquee/mesh";
import { CreateNotificationPreferenceTable } from "./create-notification-preference-table.js";
import { CreateNotificationTables } from "./create-notification-tables.js";

/** Every migration of the notification service, oldest first: the event bus's outbox and inbox, then its own tables. */
export const migrations = [EventBusMigration, CreateNotificationTables, CreateNotificationPreferenceTable];
