import { randomUUID } from "node:crypto";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, implement, type MeshClient, notFound } from "@marquee/mesh";
import {
  publishTestEvent,
  startService,
  startTestServer,
  type TestServer,
  type TestService,
  unimplemented,
  waitFor,
} from "@marquee/mesh/testing";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import {
  Category,
  type Event,
  EventKind,
  EventSchema,
  EventState,
} from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import {
  EventCancelledSchema,
  EventPublishedSchema,
  EventUpdatedSchema,
} from "@marquee/proto/marquee/events/v1/events_pb.js";
import {
  type SearchEventsRequestSchema,
  type SearchEventsResponse,
  SearchService,
} from "@marquee/proto/marquee/search/v1/search_pb.js";
import { search } from "../../src/manifest.js";
import type { Search } from "../../src/search.js";

/**
 * Catalog as the search service sees it: GetEvent, answered from what a test put in `events`. The search
 * service reads nothing else of catalog; the real one is exercised by `e2e`-style tests elsewhere.
 */
export interface StubCatalog {
  readonly server: TestServer;
  readonly events: Map<string, Event>;
  /** GetEvent calls answered so far. */
  calls: number;
  /** While set, GetEvent fails UNAVAILABLE: catalog down. */
  isDown: boolean;
}

export async function startStubCatalog(): Promise<StubCatalog> {
  const events = new Map<string, Event>();
  const stub = { events, calls: 0, isDown: false } as { -readonly [K in keyof StubCatalog]: StubCatalog[K] };
  stub.server = await startTestServer([
    implement(CatalogService, {
      ...unimplemented(CatalogService),
      async getEvent(request) {
        stub.calls++;
        if (stub.isDown) throw new ConnectError("catalog is down", Code.Unavailable);
        const event = events.get(request.eventId);
        if (event === undefined) throw notFound("event", request.eventId);
        return { event };
      },
    }),
  ]);
  return stub;
}

/** A search service over the test PostgreSQL and Redis, its consumers running, catalog stubbed. */
export interface TestSearch {
  readonly service: TestService<typeof search.settings, typeof search.upstreams, Search>;
  readonly catalog: StubCatalog;
  readonly client: MeshClient<typeof SearchService>;
  /** Puts an event in the stub catalog and publishes EventPublished for it, as catalog would. */
  publishEvent(event: Event): Promise<void>;
  /** Changes an event in the stub catalog and publishes EventUpdated. */
  updateEvent(event: Event): Promise<void>;
  /** Marks an event cancelled in the stub catalog and publishes EventCancelled. */
  cancelEvent(eventId: string): Promise<void>;
  /** Searches until `until` accepts the response (the read model follows the streams asynchronously). */
  searchUntil(
    request: MessageInitShape<typeof SearchEventsRequestSchema>,
    until: (response: SearchEventsResponse) => boolean,
    what: string,
  ): Promise<SearchEventsResponse>;
  close(): Promise<void>;
}

/**
 * Starts a search service over a fresh schema (an empty read model). With `catalog`, over that stub
 * catalog (a second service seeing the first one's events); closing the service then leaves it running.
 * `background: false` runs no consumers, for tests that call the handlers themselves.
 */
export async function startSearch(
  existing?: StubCatalog,
  { background = true }: { readonly background?: boolean } = {},
): Promise<TestSearch> {
  const catalog = existing ?? (await startStubCatalog());
  try {
    const service = await startService(search, { background, upstreams: { catalog: catalog.server.address } });
    const client = await service.client(SearchService);
    const summary = (event: Event) => ({ eventId: event.id, title: event.title });
    return {
      service,
      catalog,
      client,
      async publishEvent(event) {
        catalog.events.set(event.id, event);
        await publishTestEvent("catalog", EventPublishedSchema, { event: summary(event), version: 1n });
      },
      async updateEvent(event) {
        catalog.events.set(event.id, event);
        await publishTestEvent("catalog", EventUpdatedSchema, { event: summary(event), changedFields: ["title"] });
      },
      async cancelEvent(eventId) {
        const event = catalog.events.get(eventId);
        if (event) catalog.events.set(eventId, create(EventSchema, { ...event, state: EventState.CANCELLED }));
        await publishTestEvent("catalog", EventCancelledSchema, { eventId, reason: "the artist is ill" });
      },
      async searchUntil(request, until, what) {
        return await waitFor(
          what,
          async () => {
            const response = await client.searchEvents(request);
            return until(response) ? response : undefined;
          },
          { timeoutMs: 15_000, intervalMs: 50 },
        );
      },
      async close() {
        await service.close();
        if (existing === undefined) await catalog.server.close();
      },
    };
  } catch (error) {
    if (existing === undefined) await catalog.server.close();
    throw error;
  }
}

/** Puts an event on a stream as a producer's relay would (see `publishTestEvent`). */
export { publishTestEvent as publish };

const hour = 3600_000;
/** A time `hours` from now, in whole seconds (what the read model stores exactly). */
export function hoursFromNow(hours: number): Date {
  return new Date(Math.floor((Date.now() + hours * hour) / 1000) * 1000);
}

/** A published concert at a venue, priced by two tiers (the cheaper `lowestMinor`), `capacity` seats. */
export function concert(
  fields: {
    title?: string;
    description?: string;
    city?: string;
    venueName?: string;
    start?: Date;
    lowestMinor?: bigint;
    capacity?: number;
    category?: Category;
  } = {},
): Event {
  const start = fields.start ?? hoursFromNow(48);
  const lowest = fields.lowestMinor ?? 150_000n;
  return create(EventSchema, {
    id: randomUUID(),
    kind: EventKind.EVENT,
    category: fields.category ?? Category.CONCERT,
    title: fields.title ?? "Coldplay — Music of the Spheres",
    description: fields.description ?? "The world tour comes to the stadium.",
    venueName: fields.venueName ?? "Bangabandhu National Stadium",
    city: fields.city ?? "Dhaka",
    startTime: timestampFromDate(start),
    endTime: timestampFromDate(new Date(start.getTime() + 3 * hour)),
    currencyCode: "BDT",
    priceTiers: [
      { id: "floor", name: "Floor", price: { currencyCode: "BDT", amountMinor: lowest * 3n }, sectionIds: ["floor"] },
      { id: "stand", name: "Stand", price: { currencyCode: "BDT", amountMinor: lowest }, sectionIds: ["stand"] },
    ],
    state: EventState.PUBLISHED,
    capacity: fields.capacity ?? 100,
  });
}

/**
 * A published coach Dhaka → Jessore → Kolkata of `capacity` seats leaving at `start`: legs Dhaka → Jessore
 * (800 BDT) and Jessore → Kolkata (1,200 BDT), and a through fare Dhaka → Kolkata (1,800 BDT) cheaper than
 * the two legs.
 */
export function coach(fields: { start?: Date; capacity?: number; title?: string } = {}): Event {
  const start = fields.start ?? hoursFromNow(24);
  const at = (hours: number) => timestampFromDate(new Date(start.getTime() + hours * hour));
  const bdt = (major: number) => ({ currencyCode: "BDT", amountMinor: BigInt(major * 100) });
  return create(EventSchema, {
    id: randomUUID(),
    kind: EventKind.TRIP,
    category: Category.BUS,
    title: fields.title ?? "Dhaka → Kolkata (Green Line)",
    description: "Air-conditioned coach across the Benapole border.",
    venueName: "Green Line Scania 40-seat coach",
    city: "Dhaka",
    startTime: at(0),
    endTime: at(10),
    stops: [
      { id: "dhaka", name: "Sayedabad Bus Terminal", city: "Dhaka", departureTime: at(0) },
      { id: "jessore", name: "Jessore Bus Stand", city: "Jessore", arrivalTime: at(4.5), departureTime: at(5) },
      { id: "kolkata", name: "Esplanade", city: "Kolkata", arrivalTime: at(10) },
    ],
    currencyCode: "BDT",
    fares: [
      { boardingStopId: "dhaka", alightingStopId: "jessore", price: bdt(800) },
      { boardingStopId: "jessore", alightingStopId: "kolkata", price: bdt(1200) },
      { boardingStopId: "dhaka", alightingStopId: "kolkata", price: bdt(1800) },
    ],
    state: EventState.PUBLISHED,
    capacity: fields.capacity ?? 40,
  });
}

/** The ids of a response's results, in order. */
export function idsOf(response: SearchEventsResponse): string[] {
  return response.results.map((result) => result.id);
}
