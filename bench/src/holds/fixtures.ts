import { randomUUID } from "node:crypto";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { borderTrip, letteredCoach } from "@marquee/catalog/testing";
import type { MeshClient } from "@marquee/mesh";
import type { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import {
  Category,
  EventKind,
  type EventSchema,
  type Venue,
  type VenueSchema,
} from "@marquee/proto/marquee/catalog/v1/resources_pb.js";

/**
 * What the holds benchmark sells, created through catalog's public API as an organizer would: a big hall
 * (one generated section) with many concerts on it, and the Diu Paribahan coach (40 seats, 10 rows of
 * A–D) with many Dhaka → Kolkata trips, as in the inventory's test fixtures.
 */

type EventInit = MessageInitShape<typeof EventSchema>;

const dayMs = 86_400_000;

/** Rows × seats of the hall: 75,000 seats (a venue may have 100,000; its seats are listed page by page). */
export const hallShape = { rowCount: 250, seatsPerRow: 300 } as const;

/** The coach's stops: four legs, Dhaka → Faridpur → Jessore → Benapole → Kolkata. */
export { borderStops as coachStops } from "@marquee/catalog/testing";

/** A published event and its seat ids, by row, as catalog assigned them. */
export interface SellableEvent {
  readonly eventId: string;
  readonly rows: readonly (readonly string[])[];
}

/** Creates the hall, then `count` published concerts on it. */
export async function createHallEvents(
  catalog: MeshClient<typeof CatalogService>,
  organizerToken: string,
  count: number,
): Promise<SellableEvent[]> {
  const venue = await createVenue(catalog, organizerToken, {
    name: `Bench Arena ${randomUUID().slice(0, 8)}`,
    city: "Dhaka",
    countryCode: "BD",
    timeZone: "Asia/Dhaka",
    sections: [
      {
        id: "stalls",
        name: "Stalls",
        layout: { case: "seated", value: { generator: { ...hallShape, seatClass: "standard" } } },
      },
    ],
  });
  const rows = await seatRows(catalog, organizerToken, venue);
  const events: SellableEvent[] = [];
  for (let i = 0; i < count; i++) {
    const startMs = Date.now() + (30 + i) * dayMs;
    const eventId = await publish(catalog, organizerToken, {
      kind: EventKind.EVENT,
      category: Category.CONCERT,
      title: `Bench concert ${i + 1}`,
      venueId: venue.id,
      startTime: timestampFromMs(startMs),
      endTime: timestampFromMs(startMs + 3 * 3_600_000),
      currencyCode: "BDT",
      priceTiers: [{ id: "standard", name: "Standard", price: { amountMinor: 200_000n }, sectionIds: ["stalls"] }],
    });
    events.push({ eventId, rows });
  }
  return events;
}

/** Creates the coach, then `count` published Dhaka → Kolkata trips on it, a day apart, a fare per leg. */
export async function createCoachTrips(
  catalog: MeshClient<typeof CatalogService>,
  organizerToken: string,
  count: number,
): Promise<SellableEvent[]> {
  const name = `Diu Paribahan Scania coach ${randomUUID().slice(0, 8)} (40 seats, 2+2)`;
  const venue = await createVenue(catalog, organizerToken, letteredCoach(name));
  const rows = await seatRows(catalog, organizerToken, venue);
  const trips: SellableEvent[] = [];
  for (let i = 0; i < count; i++) {
    const title = `Dhaka → Kolkata (Diu Paribahan), departure ${i + 1}`;
    const eventId = await publish(
      catalog,
      organizerToken,
      borderTrip(venue.id, { days: 20 + i, overrides: { title } }),
    );
    trips.push({ eventId, rows });
  }
  return trips;
}

async function createVenue(
  catalog: MeshClient<typeof CatalogService>,
  token: string,
  venue: MessageInitShape<typeof VenueSchema>,
): Promise<Venue> {
  const created = (await catalog.createVenue({ venue }, { token })).venue;
  if (created === undefined) throw new Error("CreateVenue answered no venue");
  return created;
}

async function publish(catalog: MeshClient<typeof CatalogService>, token: string, event: EventInit): Promise<string> {
  const draft = (await catalog.createEvent({ event }, { token })).event;
  if (draft === undefined) throw new Error("CreateEvent answered no event");
  await catalog.publishEvent({ eventId: draft.id }, { token });
  return draft.id;
}

/** The seat ids of every seated row of the venue, in map order, listed page by page (ListVenueSeats). */
async function seatRows(catalog: MeshClient<typeof CatalogService>, token: string, venue: Venue): Promise<string[][]> {
  const rows: string[][] = [];
  let last = "";
  let pageToken = "";
  do {
    const page = await catalog.listVenueSeats({ venueId: venue.id, pageSize: 5000, pageToken }, { token });
    for (const seat of page.seats) {
      // Seats come in map order, so the seats of a row are consecutive.
      const row = `${seat.sectionId}\u0000${seat.rowLabel}`;
      if (row !== last) rows.push([]);
      rows.at(-1)?.push(seat.id);
      last = row;
    }
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return rows;
}
