import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Ride } from "@marquee/proto/marquee/api/v1/ride_pb.js";
import { Category, type Event, EventKind } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import type { EntityManager } from "@mikro-orm/postgresql";
import { legMaskOf, lowestFare, type RideRecord, ridesOf, type StopRecord } from "../domain/rides.js";
import { keyOf, wordsOf } from "../domain/text.js";

/**
 * The write side of the read model: a catalog Event becomes a listing (and a trip its rides), and sales
 * change what is left. Every write of one event takes that event's advisory lock, since its listing (from
 * catalog's stream) and its sales (from inventory's) are written by two consumers at once, and a listing
 * replaced while a sale recounts it would lose the sale.
 */

/** A listing as the read model stores it: what SearchResult shows and what the filters compare. */
export interface ListingRecord {
  readonly eventId: string;
  readonly kind: "EVENT" | "TRIP";
  readonly category: string;
  readonly title: string;
  readonly description: string;
  readonly venueName: string;
  readonly city: string;
  readonly cityNames: readonly string[];
  readonly stops: readonly StopRecord[];
  readonly startTime: string;
  readonly endTime: string;
  readonly currencyCode: string;
  readonly lowestPriceMinor: bigint;
  readonly capacity: number;
  readonly rides: readonly RideRecord[];
}

/** A seat sold (or released) for a ride; an unset ride is the whole route, stored as two empty stop ids. */
export interface SeatSale {
  readonly eventId: string;
  readonly ride?: Ride | undefined;
  readonly seatIds: readonly string[];
  readonly placeCount: number;
  readonly availableAfter: number;
}

const iso = (timestamp: Parameters<typeof timestampDate>[0] | undefined) =>
  timestamp ? timestampDate(timestamp).toISOString() : "";

/** The catalog's category as search shows it: CATEGORY_CONCERT → "concert". */
function categoryOf(event: Event): string {
  return (Category[event.category] ?? "OTHER").toLowerCase();
}

/** The listing of a published catalog event. */
export function listingOf(event: Event): ListingRecord {
  const isTrip = event.kind === EventKind.TRIP;
  const stops: StopRecord[] = event.stops.map((stop) => ({
    id: stop.id,
    name: stop.name,
    city: stop.city,
    ...(stop.arrivalTime ? { arrivalTime: iso(stop.arrivalTime) } : {}),
    ...(stop.departureTime ? { departureTime: iso(stop.departureTime) } : {}),
  }));
  const tierPrices = event.priceTiers.map((tier) => tier.price?.amountMinor ?? 0n);
  const lowestPriceMinor = isTrip ? (lowestFare(stops, event.fares, 0, stops.length - 1) ?? 0n) : lowestOf(tierPrices);
  return {
    eventId: event.id,
    kind: isTrip ? "TRIP" : "EVENT",
    category: categoryOf(event),
    title: event.title,
    description: event.description,
    venueName: event.venueName,
    city: isTrip ? (stops[0]?.city ?? event.city) : event.city,
    cityNames: isTrip ? [...new Set(stops.map((stop) => stop.city))] : [event.city],
    stops,
    startTime: iso(event.startTime),
    endTime: iso(event.endTime),
    currencyCode: event.currencyCode,
    lowestPriceMinor,
    capacity: event.capacity,
    rides: isTrip ? ridesOf(stops, event.fares) : [],
  };
}

/** The least of some amounts (BigInt has no Math.min); 0 for none. */
function lowestOf(amounts: readonly bigint[]): bigint {
  let lowest = amounts[0] ?? 0n;
  for (const amount of amounts) if (amount < lowest) lowest = amount;
  return lowest;
}

/** Takes the advisory locks of these events, in one order so two writers never deadlock. */
async function lockEvents(em: EntityManager, eventIds: readonly string[]): Promise<void> {
  await em.execute(
    `select pg_advisory_xact_lock(hashtextextended('search.event:' || id, 0)) from unnest(?::text[]) as id order by id`,
    [pgArray([...new Set(eventIds)])],
  );
}

/**
 * Replaces the listings of these events (inserting the new ones), with their rides and words, and the
 * seats left as the sales recorded so far say. One statement per table for the whole batch: the consumer
 * saves one listing, a bulk load (the benchmark, a rebuild from catalog) thousands. Call in a transaction.
 */
export async function saveListings(em: EntityManager, listings: readonly ListingRecord[]): Promise<void> {
  if (listings.length === 0) return;
  const ids = listings.map((listing) => listing.eventId);
  await lockEvents(em, ids);
  const sales = await salesOf(em, ids);
  await em.execute(`delete from listing where event_id = any(?::uuid[])`, [pgArray(ids)]);
  const rows = listings.map((listing) => {
    const left = availableOf(listing, sales.get(listing.eventId));
    return {
      event_id: listing.eventId,
      kind: listing.kind,
      category: listing.category,
      title: listing.title,
      description: listing.description,
      venue_name: listing.venueName,
      venue_key: keyOf(listing.venueName),
      city: listing.city,
      city_names: listing.cityNames,
      city_keys: listing.cityNames.map(keyOf),
      stops: listing.stops,
      start_time: listing.startTime,
      end_time: listing.endTime,
      currency_code: listing.currencyCode,
      lowest_price_minor: String(listing.lowestPriceMinor),
      capacity: listing.capacity,
      available: left.listing,
      title_text: keyOf(listing.title),
      facts_text: [listing.category, listing.venueName, ...listing.cityNames].map(keyOf).join(" "),
      description_text: keyOf(listing.description),
      rides: listing.rides.map((ride, index) => ({
        boarding_city_key: ride.boardingCityKey,
        alighting_city_key: ride.alightingCityKey,
        from_index: ride.fromIndex,
        to_index: ride.toIndex,
        starts_at_route_start: ride.fromIndex === 0,
        ends_at_route_end: ride.toIndex === listing.stops.length - 1,
        departure_time: ride.departureTime,
        leg_mask: ride.legMask,
        lowest_price_minor: String(ride.lowestPriceMinor),
        available: left.rides[index] ?? listing.capacity,
      })),
    };
  });
  const json = JSON.stringify(rows);
  await em.execute(
    `insert into listing (event_id, kind, category, title, description, venue_name, venue_key, city, city_names,
       city_keys, stops, start_time, end_time, currency_code, lowest_price_minor, capacity, available, search_text,
       title_words, update_time)
     select r.event_id, r.kind, r.category, r.title, r.description, r.venue_name, r.venue_key, r.city, r.city_names,
       r.city_keys, r.stops, r.start_time, r.end_time, r.currency_code, r.lowest_price_minor, r.capacity, r.available,
       setweight(to_tsvector('simple', r.title_text), 'A') || setweight(to_tsvector('simple', r.facts_text), 'B')
         || setweight(to_tsvector('simple', r.description_text), 'C'),
       to_tsvector('simple', r.title_text), now()
     from jsonb_to_recordset(?::jsonb) as r (event_id uuid, kind text, category text, title text, description text,
       venue_name text, venue_key text, city text, city_names text[], city_keys text[], stops jsonb,
       start_time timestamptz, end_time timestamptz, currency_code text, lowest_price_minor bigint, capacity int,
       available int, title_text text, facts_text text, description_text text)`,
    [json],
  );
  await em.execute(
    `insert into ride (event_id, boarding_city_key, alighting_city_key, from_index, to_index, category, currency_code,
       starts_at_route_start, ends_at_route_end, departure_time, leg_mask, lowest_price_minor, available)
     select l.event_id, r.boarding_city_key, r.alighting_city_key, r.from_index, r.to_index, l.category,
       l.currency_code, r.starts_at_route_start, r.ends_at_route_end, r.departure_time, r.leg_mask,
       r.lowest_price_minor, r.available
     from jsonb_to_recordset(?::jsonb) as l (event_id uuid, category text, currency_code text, rides jsonb)
     cross join lateral jsonb_to_recordset(l.rides) as r (boarding_city_key text, alighting_city_key text,
       from_index int, to_index int, starts_at_route_start boolean, ends_at_route_end boolean,
       departure_time timestamptz, leg_mask bigint, lowest_price_minor bigint, available int)`,
    [
      JSON.stringify(
        rows.map((row) => ({
          event_id: row.event_id,
          category: row.category,
          currency_code: row.currency_code,
          rides: row.rides,
        })),
      ),
    ],
  );
  const words = new Set(
    listings.flatMap((listing) =>
      [listing.title, listing.venueName, listing.category, ...listing.cityNames].flatMap(wordsOf),
    ),
  );
  await em.execute(`insert into word (word) select unnest(?::text[]) on conflict do nothing`, [pgArray([...words])]);
}

/** Takes an event out of the read model (cancelled, or no longer published): never found again. */
export async function removeListing(em: EntityManager, eventId: string): Promise<void> {
  await lockEvents(em, [eventId]);
  await em.execute(`delete from listing where event_id = ?`, [eventId]);
}

/** Records seats sold (SeatsSold) and recounts what is left of the event. */
export async function recordSale(em: EntityManager, sale: SeatSale): Promise<void> {
  await lockEvents(em, [sale.eventId]);
  const [boarding, alighting] = [sale.ride?.boardingStopId ?? "", sale.ride?.alightingStopId ?? ""];
  await em.execute(
    `insert into seat_sale (event_id, seat_id, boarding_stop_id, alighting_stop_id)
     select ?, unnest(?::text[]), ?, ? on conflict do nothing`,
    [sale.eventId, pgArray(sale.seatIds), boarding, alighting],
  );
  await recordCount(em, sale, sale.placeCount);
  await refreshAvailability(em, sale.eventId);
}

/** Records seats back on sale (SeatsReleased) and recounts what is left of the event. */
export async function recordRelease(em: EntityManager, release: SeatSale): Promise<void> {
  await lockEvents(em, [release.eventId]);
  const [boarding, alighting] = [release.ride?.boardingStopId ?? "", release.ride?.alightingStopId ?? ""];
  await em.execute(
    `delete from seat_sale where event_id = ? and seat_id = any(?::text[]) and boarding_stop_id = ? and alighting_stop_id = ?`,
    [release.eventId, pgArray(release.seatIds), boarding, alighting],
  );
  await recordCount(em, release, -release.placeCount);
  await refreshAvailability(em, release.eventId);
}

/** Inventory's count after a sale or release: what an event (one leg) shows as left. */
async function recordCount(em: EntityManager, change: SeatSale, placesDelta: number): Promise<void> {
  await em.execute(
    `insert into sale_count (event_id, available_after, sold_places) values (?, ?, greatest(?, 0))
     on conflict (event_id) do update set available_after = excluded.available_after,
       sold_places = greatest(sale_count.sold_places + ?, 0)`,
    [change.eventId, change.availableAfter, placesDelta, placesDelta],
  );
}

/** What the sales recorded so far say of some events. */
interface Sales {
  readonly seats: { readonly seatId: string; readonly boarding: string; readonly alighting: string }[];
  readonly availableAfter?: number;
  readonly soldPlaces: number;
}

async function salesOf(em: EntityManager, eventIds: readonly string[]): Promise<Map<string, Sales>> {
  const seats = await em.execute<{ event_id: string; seat_id: string; boarding: string; alighting: string }[]>(
    `select event_id, seat_id, boarding_stop_id as boarding, alighting_stop_id as alighting
     from seat_sale where event_id = any(?::uuid[])`,
    [pgArray(eventIds)],
  );
  const counts = await em.execute<{ event_id: string; available_after: number; sold_places: number }[]>(
    `select event_id, available_after, sold_places from sale_count where event_id = any(?::uuid[])`,
    [pgArray(eventIds)],
  );
  const sales = new Map<string, { seats: Sales["seats"]; availableAfter?: number; soldPlaces: number }>();
  const of = (id: string) => {
    const entry = sales.get(id) ?? { seats: [], soldPlaces: 0 };
    sales.set(id, entry);
    return entry;
  };
  for (const row of seats)
    of(row.event_id).seats.push({ seatId: row.seat_id, boarding: row.boarding, alighting: row.alighting });
  for (const row of counts) {
    const entry = of(row.event_id);
    entry.availableAfter = row.available_after;
    entry.soldPlaces = row.sold_places;
  }
  return sales;
}

/**
 * What is left of a listing and of each of its rides. An event has one leg: inventory's own count after the
 * last sale or release is exact. A trip's seat is free for a ride when none of the ride's legs is sold for
 * it, so each seat's sold legs are OR-ed into a mask (a sale naming stops the route does not have counts as
 * the whole route: never shown free when it may not be) and the seats whose mask meets the ride's are
 * taken. Held seats are not events and count as available.
 */
export function availableOf(
  listing: Pick<ListingRecord, "kind" | "capacity" | "stops" | "rides">,
  sales: Sales | undefined,
): { listing: number; rides: number[] } {
  if (listing.kind === "EVENT") {
    return { listing: Math.max(0, sales?.availableAfter ?? listing.capacity), rides: [] };
  }
  const indexOf = new Map(listing.stops.map((stop, index) => [stop.id, index]));
  const wholeRoute = legMaskOf(0, Math.max(1, listing.stops.length - 1));
  const masks = new Map<string, number>();
  for (const seat of sales?.seats ?? []) {
    const [from, to] = [indexOf.get(seat.boarding), indexOf.get(seat.alighting)];
    const mask = from !== undefined && to !== undefined && from < to ? legMaskOf(from, to) : wholeRoute;
    masks.set(seat.seatId, ((masks.get(seat.seatId) ?? 0) | mask) >>> 0);
  }
  const takenFor = (rideMask: number) => [...masks.values()].filter((mask) => (mask & rideMask) !== 0).length;
  const places = sales?.soldPlaces ?? 0;
  const left = (rideMask: number) => Math.max(0, listing.capacity - takenFor(rideMask) - places);
  return { listing: left(wholeRoute), rides: listing.rides.map((ride) => left(ride.legMask)) };
}

/** Recounts what is left of one listing and its rides from the sales recorded (no listing yet: nothing to do). */
async function refreshAvailability(em: EntityManager, eventId: string): Promise<void> {
  const [listing] = await em.execute<{ kind: "EVENT" | "TRIP"; capacity: number; stops: StopRecord[] }[]>(
    `select kind, capacity, stops from listing where event_id = ?`,
    [eventId],
  );
  if (listing === undefined) return;
  const rides = await em.execute<{ boarding_city_key: string; alighting_city_key: string; leg_mask: string }[]>(
    `select boarding_city_key, alighting_city_key, leg_mask from ride where event_id = ?`,
    [eventId],
  );
  const rideMasks = rides.map((ride) => ({ legMask: Number(ride.leg_mask) }));
  const left = availableOf(
    { ...listing, rides: rideMasks as unknown as RideRecord[] },
    (await salesOf(em, [eventId])).get(eventId),
  );
  await em.execute(`update listing set available = ?, update_time = now() where event_id = ?`, [left.listing, eventId]);
  if (rides.length === 0) return;
  await em.execute(
    `update ride set available = v.available
     from unnest(?::text[], ?::text[], ?::int[]) as v (boarding_city_key, alighting_city_key, available)
     where ride.event_id = ? and ride.boarding_city_key = v.boarding_city_key
       and ride.alighting_city_key = v.alighting_city_key`,
    [
      pgArray(rides.map((ride) => ride.boarding_city_key)),
      pgArray(rides.map((ride) => ride.alighting_city_key)),
      pgArray(left.rides),
      eventId,
    ],
  );
}

/** Empties the read model, for a rebuild from the start of the streams. */
export async function clearReadModel(em: EntityManager): Promise<void> {
  await em.execute(`truncate listing, ride, seat_sale, sale_count, word`);
}

/**
 * A PostgreSQL array literal, for `?::text[]` and the like: `em.execute` writes parameters into the text,
 * and one literal per column escapes far faster than a JS array (catalog's `seat-maps.ts` measured it).
 */
export function pgArray(values: readonly (string | number)[]): string {
  const elements = values.map((value) =>
    typeof value === "string" ? `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"` : String(value),
  );
  return `{${elements.join(",")}}`;
}
