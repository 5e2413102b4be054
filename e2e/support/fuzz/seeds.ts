import type { DescMessage, JsonValue, Message, MessageInitShape } from "@bufbuild/protobuf";
import { toJson } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { borderTrip, letteredCoach } from "@marquee/catalog/testing";
import { waitFor } from "@marquee/mesh/testing";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import {
  Category,
  EventKind,
  EventSchema,
  type PriceTierSchema,
  VenueSchema,
} from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { HoldSchema, InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { chattogramHall } from "../fixtures.js";
import { Fixtures } from "./fixtures.js";
import type { FuzzTokens } from "./tokens.js";

/**
 * A resource created before the run, read back after it: a change (or its disappearance) with no
 * successful call naming it is a state change behind an error. `target` seeds are named by generated
 * requests of every RPC; `bystander` seeds only by reads, so any change to one is unexplained.
 */
export interface Seed {
  readonly kind: "venue" | "event" | "hold";
  readonly id: string;
  readonly label: string;
  readonly role: "target" | "bystander";
  /** Ids whose successful mutation may change this seed too: its own, its event's, its venue's. */
  readonly relatedIds: readonly string[];
  /** The resource as its owner reads it now, as JSON; undefined when it is gone (NOT_FOUND). */
  read(): Promise<JsonValue | undefined>;
}

/** The seeds, and what generated requests may name: everything for reads, targets only for writes. */
export interface Planted {
  readonly seeds: readonly Seed[];
  readonly readFixtures: Fixtures;
  readonly writeFixtures: Fixtures;
  /** A published event anyone may read the availability of: what the concurrent caller of the burst polls. */
  readonly publishedEventId: string;
}

const day = 24 * 3600 * 1000;
/** An hour, the longest hold a policy may set: no seeded hold lapses during a run. */
const holdPolicy = { maxSeatsPerUser: 8, holdDuration: { seconds: 3_600n } };

const tiers: MessageInitShape<typeof PriceTierSchema>[] = [
  { id: "stalls", name: "Stalls", price: { currencyCode: "BDT", amountMinor: 150_000n }, sectionIds: ["stalls"] },
  { id: "floor", name: "Floor", price: { currencyCode: "BDT", amountMinor: 80_000n }, sectionIds: ["floor"] },
];

function concert(title: string, venueId: string): MessageInitShape<typeof EventSchema> {
  const start = Math.floor((Date.now() + 30 * day) / 60_000) * 60_000;
  return {
    kind: EventKind.EVENT,
    category: Category.CONCERT,
    title,
    description: "Seeded by the fuzz suite.",
    venueId,
    startTime: timestampFromMs(start),
    endTime: timestampFromMs(start + 3 * 3_600_000),
    currencyCode: "BDT",
    priceTiers: tiers,
    holdPolicy,
  };
}

/**
 * Creates the seeds through the BFF as the fuzz organizer and customer: three venues (a hall, a coach,
 * a bystander hall), a draft concert, a published concert, a published coach trip, a bystander concert,
 * and holds on seats, a ride and general-admission places. Waits until inventory serves every published
 * event, then learns ids (seats, sections, stops, price tiers, page tokens) from the stack's answers.
 */
export async function plantSeeds(bffUrl: string, tokens: FuzzTokens): Promise<Planted> {
  const transport = createConnectTransport({ baseUrl: bffUrl, httpVersion: "1.1" });
  const catalog = createClient(CatalogService, transport);
  const inventory = createClient(InventoryService, transport);
  const asOrganizer = { headers: { authorization: `Bearer ${tokens.tokens.organizer}` } };
  const asCustomer = { headers: { authorization: `Bearer ${tokens.tokens.customer}` } };
  const readFixtures = new Fixtures();
  const writeFixtures = new Fixtures();
  const seeds: Seed[] = [];
  const learn = (schema: DescMessage, message: Message, role: Seed["role"] = "target") => {
    readFixtures.learn(schema, message);
    if (role === "target") writeFixtures.learn(schema, message);
  };
  const suffix = Math.random().toString(36).slice(2, 8);

  const venue = async (init: MessageInitShape<typeof VenueSchema>, role: Seed["role"]) => {
    const created = await catalog.createVenue({ venue: init }, asOrganizer);
    const id = created.venue?.id ?? "";
    seeds.push({
      kind: "venue",
      id,
      label: `venue "${init.name}"`,
      role,
      relatedIds: [id],
      read: () => readOrGone(VenueSchema, async () => (await catalog.getVenue({ venueId: id }, asOrganizer)).venue),
    });
    return id;
  };
  const event = async (init: MessageInitShape<typeof EventSchema>, role: Seed["role"], publish: boolean) => {
    const created = await catalog.createEvent({ event: init }, asOrganizer);
    const id = created.event?.id ?? "";
    if (publish) await catalog.publishEvent({ eventId: id }, asOrganizer);
    seeds.push({
      kind: "event",
      id,
      label: `${publish ? "published" : "draft"} ${init.kind === EventKind.TRIP ? "trip" : "event"} "${init.title}"`,
      role,
      relatedIds: [id, init.venueId ?? ""],
      read: () => readOrGone(EventSchema, async () => (await catalog.getEvent({ eventId: id }, asOrganizer)).event),
    });
    return id;
  };
  const hold = async (request: Parameters<typeof inventory.holdSeats>[0], role: Seed["role"], label: string) => {
    const held = await inventory.holdSeats(request, asCustomer);
    const id = held.hold?.id ?? "";
    seeds.push({
      kind: "hold",
      id,
      label,
      role,
      relatedIds: [id, request.eventId ?? ""],
      read: () => readOrGone(HoldSchema, async () => (await inventory.getHold({ holdId: id }, asCustomer)).hold),
    });
    if (held.hold !== undefined) learn(InventoryService.method.holdSeats.output, held, role);
    return id;
  };

  const hallId = await venue(chattogramHall(`Fuzz hall ${suffix}`), "target");
  const coachId = await venue(letteredCoach(`Fuzz coach ${suffix}`), "target");
  const quietHallId = await venue(chattogramHall(`Fuzz bystander hall ${suffix}`), "bystander");
  await event(concert(`Fuzz draft concert ${suffix}`, hallId), "target", false);
  const concertId = await event(concert(`Fuzz concert ${suffix}`, hallId), "target", true);
  const tripId = await event(
    { ...borderTrip(coachId, { overrides: { holdPolicy } }), title: `Fuzz coach trip ${suffix}` },
    "target",
    true,
  );
  const quietConcertId = await event(concert(`Fuzz bystander concert ${suffix}`, quietHallId), "bystander", true);

  for (const eventId of [concertId, tripId, quietConcertId]) {
    await waitFor(
      `inventory serving seeded event ${eventId}`,
      async () => (await inventory.getAvailability({ eventId })).eventId === eventId,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  }
  await hold({ eventId: concertId, seatIds: ["stalls:A-1", "stalls:A-2"] }, "target", "hold on two concert seats");
  await hold(
    { eventId: tripId, ride: { boardingStopId: "dhaka", alightingStopId: "jessore" }, seatIds: ["cabin:1-A"] },
    "target",
    "hold on a coach seat for a ride",
  );
  await hold({ eventId: concertId, places: [{ sectionId: "floor", quantity: 2 }] }, "target", "hold on floor places");
  await hold({ eventId: quietConcertId, seatIds: ["stalls:B-10"] }, "bystander", "hold on a bystander seat");

  for (const seed of seeds) {
    const role = seed.role;
    if (seed.kind === "venue") {
      learn(CatalogService.method.getVenue.output, await catalog.getVenue({ venueId: seed.id }, asOrganizer), role);
      const seats = await catalog.listVenueSeats({ venueId: seed.id, pageSize: 5 }, asOrganizer);
      learn(CatalogService.method.listVenueSeats.output, seats, role);
    } else if (seed.kind === "event") {
      learn(CatalogService.method.getEvent.output, await catalog.getEvent({ eventId: seed.id }, asOrganizer), role);
      if (!seed.label.startsWith("draft")) {
        learn(CatalogService.method.listSeats.output, await catalog.listSeats({ eventId: seed.id, pageSize: 5 }), role);
        learn(CatalogService.method.getSeatMap.output, await catalog.getSeatMap({ eventId: seed.id }), role);
      }
    }
  }
  const bystanders = seeds.filter((seed) => seed.role === "bystander").map((seed) => seed.id);
  readFixtures.addId("user", tokens.userIds.customer);
  writeFixtures.addId("user", tokens.userIds.customer);
  writeFixtures.exclude(bystanders);
  return { seeds, readFixtures, writeFixtures, publishedEventId: concertId };
}

/** The resource's JSON, or undefined when the stack says NOT_FOUND. */
async function readOrGone(
  schema: DescMessage,
  read: () => Promise<Message | undefined>,
): Promise<JsonValue | undefined> {
  try {
    const message = await read();
    return message === undefined ? undefined : toJson(schema, message);
  } catch (error) {
    if (error instanceof ConnectError && error.code === Code.NotFound) return undefined;
    throw error;
  }
}
