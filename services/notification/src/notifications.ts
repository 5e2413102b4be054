import type { Database, Logger } from "@marquee/mesh";

/** What the notification service's RPCs are built from. */
export interface Notifications {
  readonly orm: Database;
  readonly log: Logger;
}
