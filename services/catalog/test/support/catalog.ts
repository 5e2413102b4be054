import type { MessageInitShape } from "@bufbuild/protobuf";
import { createClient, createLogger, type Database, type MeshClient, migrate, openDatabase } from "@marquee/mesh";
import { startTestServer, type TestServer, testClient, testDatabase } from "@marquee/mesh/testing";
import { CatalogInternalService } from "@marquee/proto/marquee/catalog/v1/catalog_internal_pb.js";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import type { Event, EventSchema, Venue, VenueSchema } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { entities } from "../../src/entities/index.js";
import { migrations } from "../../src/migrations/index.js";
import { catalogServices } from "../../src/rpc/index.js";

export const logger = createLogger("catalog-test", process.env.LOG_LEVEL ?? "silent");

/** A catalog server over a fresh, migrated schema, with clients. */
export interface TestCatalog {
  readonly orm: Database;
  readonly server: TestServer;
  /** CatalogService; pass `{ token }` per call, or nothing to call anonymously. */
  readonly client: MeshClient<typeof CatalogService>;
  /** CatalogInternalService, calling with the inventory service's token. */
  readonly internal: MeshClient<typeof CatalogInternalService>;
}

/** Starts a catalog: the real server over real PostgreSQL, in a schema of its own. */
export async function startCatalog(): Promise<TestCatalog & { close(): Promise<void> }> {
  const { url, schema } = await testDatabase("catalog");
  const orm = await openDatabase({ url, schema, entities, migrations, logger });
  await migrate(orm);
  const server = await startTestServer(catalogServices(orm));
  const client = createClient(CatalogService, { address: server.address, timeoutMs: 20_000 });
  const internal = await testClient(CatalogInternalService, server.address, {
    serviceName: "inventory",
    timeoutMs: 20_000,
  });
  return {
    orm,
    server,
    client,
    internal,
    async close() {
      client.close();
      internal.close();
      await server.close();
      await orm.close();
    },
  };
}

/** One catalog for the tests of the calling `describe`, started before them and stopped after. */
export function useCatalog(): TestCatalog {
  let started: (TestCatalog & { close(): Promise<void> }) | undefined;
  before(async () => {
    started = await startCatalog();
  });
  after(async () => {
    await started?.close();
  });
  const get = (): TestCatalog => {
    if (started === undefined) throw new Error("the catalog starts in before()");
    return started;
  };
  return {
    get orm() {
      return get().orm;
    },
    get server() {
      return get().server;
    },
    get client() {
      return get().client;
    },
    get internal() {
      return get().internal;
    },
  };
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
