import type { Database, Logger } from "@marquee/mesh";

/** What the search service's RPCs are built from. */
export interface Search {
  readonly orm: Database;
  readonly log: Logger;
}
