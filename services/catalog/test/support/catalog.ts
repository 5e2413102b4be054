import type { MessageInitShape } from "@bufbuild/protobuf";
import { createLogger, type Database, type MeshClient } from "@marquee/mesh";
import { startService, type TestServer, useStarted } from "@marquee/mesh/testing";
import { CatalogInternalService } from "@marquee/proto/marquee/catalog/v1/catalog_internal_pb.js";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import type { Event, EventSchema, Venue, VenueSchema } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { catalog } from "../../src/manifest.js";

/** For tests that run a relay or a consumer of their own. */
export const logger = createLogger("catalog-test", process.env.LOG_LEVEL ?? "silent");

/** A catalog a test started from its manifest, with clients. */
export interface TestCatalog {
  readonly orm: Database;
  readonly server: TestServer;
  /** CatalogService; pass `{ token }` per call, or nothing to call anonymously. */
  readonly client: MeshClient<typeof CatalogService>;
  /** CatalogInternalService, calling with the inventory service's token. */
  readonly internal: MeshClient<typeof CatalogInternalService>;
}

/** Where a catalog started without an inventory looks for one: nothing listens on port 1. */
export const noInventory = "127.0.0.1:1";

/** How a test's catalog is wired. */
export interface CatalogOptions {
  /**
   * `host:port` of the inventory that CancelEvent asks to close an event's sales (a real one: see
   * `@marquee/inventory/testing`). @default {@link noInventory}: every CancelEvent of a published event
   * answers UNAVAILABLE and changes nothing
   */
  readonly inventory?: string;
  /** The port to serve on, when the inventory was told it first. @default a free one */
  readonly port?: number;
}

/** Starts a catalog from its manifest, as production composes it, in a schema of its own. */
export async function startCatalog(options: CatalogOptions = {}): Promise<TestCatalog & { close(): Promise<void> }> {
  const service = await startService(catalog, {
    upstreams: { inventory: options.inventory ?? noInventory },
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  return {
    orm: service.parts.orm,
    server: service.server,
    client: await service.client(CatalogService),
    internal: await service.client(CatalogInternalService, { serviceName: "inventory" }),
    close: () => service.close(),
  };
}

/**
 * One catalog for the tests of the calling `describe`, started before them and stopped after: by
 * `start`, e.g. `startCatalogWithInventory` of `@marquee/inventory/testing` for tests that cancel events.
 */
export function useCatalog<C extends TestCatalog = TestCatalog>(
  start: () => Promise<C & { close(): Promise<void> }> = () =>
    startCatalog() as Promise<C & { close(): Promise<void> }>,
): C {
  return useStarted("the catalog", start);
}

/** Rows in a table of the catalog's schema, for checking that a refused request wrote nothing. */
export async function countRows(orm: Database, table: string): Promise<number> {
  const [row] = await orm.em.fork().execute<{ count: string }[]>(`select count(*) as count from "${table}"`);
  return Number(row?.count ?? 0);
}

/** Row counts of every catalog table and the outbox. */
export async function countAllRows(orm: Database): Promise<Record<string, number>> {
  const tables = ["venue", "venue_section", "venue_seat", "event", "event_section", "event_seat", "outbox"];
  const counts: Record<string, number> = {};
  for (const table of tables) counts[table] = await countRows(orm, table);
  return counts;
}

/** Creates `venue` and `event` on it as the organizer with `token`; publishes it when `publish` is set. */
export async function createEventOn(
  catalog: TestCatalog,
  token: string,
  venue: MessageInitShape<typeof VenueSchema>,
  event: (venueId: string) => MessageInitShape<typeof EventSchema>,
  publish = true,
): Promise<{ venue: Venue; event: Event }> {
  const created = await catalog.client.createVenue({ venue }, { token });
  if (!created.venue) throw new Error("no venue");
  const draft = await catalog.client.createEvent({ event: event(created.venue.id) }, { token });
  if (!draft.event) throw new Error("no event");
  if (!publish) return { venue: created.venue, event: draft.event };
  const published = await catalog.client.publishEvent({ eventId: draft.event.id }, { token });
  if (!published.event) throw new Error("no published event");
  return { venue: created.venue, event: published.event };
}
