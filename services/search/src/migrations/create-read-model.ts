import { Migration } from "@mikro-orm/migrations";

/**
 * The read model. `listing`: one row per published event or trip (removed when cancelled), its texts
 * folded in TypeScript (`domain/text.ts`) into `search_text` (weighted: title A; category, venue and cities
 * B; description C) and `title_words` (Suggest); `city_keys` holds the venue's city or every stop's.
 * `ride`: a trip's rides between each ordered pair of cities (`domain/rides.ts`), priced and with the
 * seats free for that ride, with its trip's category and currency, so a route search without text or city
 * filters counts its facets from the rides alone. `seat_sale`: every seat sold per ride, from SeatsSold and SeatsReleased, kept
 * apart from the listing so a sale that arrives before its event's EventPublished (the two streams are read
 * apart) is not lost. `sale_count`: inventory's own count of what is left, for events. `word`: every word
 * of the titles, venues, cities and categories, trigram-indexed, where a misspelt query word finds the
 * words it may mean ("coldpaly" → "coldplay").
 */
export class CreateReadModel extends Migration {
  override name = "search_0001_create_read_model";

  override up(): void {
    // Extensions are per database: in `public`, which every service's search_path ends with.
    this.addSql(`create extension if not exists pg_trgm schema public;`);
    this.addSql(`create table "listing" (
      "event_id" uuid not null,
      "kind" text not null,
      "category" text not null,
      "title" text not null,
      "description" text not null,
      "venue_name" text not null,
      "venue_key" text not null,
      "city" text not null,
      "city_names" text[] not null,
      "city_keys" text[] not null,
      "stops" jsonb not null,
      "start_time" timestamptz not null,
      "end_time" timestamptz not null,
      "currency_code" text not null,
      "lowest_price_minor" bigint not null,
      "capacity" int not null,
      "available" int not null,
      "search_text" tsvector not null,
      "title_words" tsvector not null,
      "update_time" timestamptz not null,
      constraint "listing_pkey" primary key ("event_id"),
      constraint "listing_kind" check ("kind" in ('EVENT', 'TRIP'))
    );`);
    this.addSql(`create index "listing_by_start" on "listing" ("start_time", "event_id");`);
    this.addSql(`create index "listing_by_price" on "listing" ("lowest_price_minor", "start_time", "event_id");`);
    this.addSql(`create index "listing_by_category" on "listing" ("category", "start_time");`);
    // fastupdate off: a GIN's pending list makes every search scan it until a vacuum merges it (measured:
    // 15 ms instead of 1 ms for a city after a bulk load); the read model is read far more than written.
    this.addSql(`create index "listing_search_text" on "listing" using gin ("search_text") with (fastupdate = off);`);
    this.addSql(`create index "listing_title_words" on "listing" using gin ("title_words") with (fastupdate = off);`);
    this.addSql(`create index "listing_city_keys" on "listing" using gin ("city_keys") with (fastupdate = off);`);
    this.addSql(`create table "ride" (
      "event_id" uuid not null,
      "boarding_city_key" text not null,
      "alighting_city_key" text not null,
      "from_index" int not null,
      "to_index" int not null,
      "category" text not null,
      "currency_code" text not null,
      "starts_at_route_start" boolean not null,
      "ends_at_route_end" boolean not null,
      "departure_time" timestamptz not null,
      "leg_mask" bigint not null,
      "lowest_price_minor" bigint not null,
      "available" int not null,
      constraint "ride_pkey" primary key ("event_id", "boarding_city_key", "alighting_city_key"),
      constraint "ride_listing" foreign key ("event_id") references "listing" ("event_id") on delete cascade
    );`);
    this.addSql(
      `create index "ride_by_cities" on "ride" ("boarding_city_key", "alighting_city_key", "departure_time");`,
    );
    this.addSql(
      `create index "ride_to_route_end" on "ride" ("boarding_city_key", "departure_time") where "ends_at_route_end";`,
    );
    this.addSql(
      `create index "ride_from_route_start" on "ride" ("alighting_city_key", "departure_time") where "starts_at_route_start";`,
    );
    this.addSql(`create table "seat_sale" (
      "event_id" uuid not null,
      "seat_id" text not null,
      "boarding_stop_id" text not null,
      "alighting_stop_id" text not null,
      constraint "seat_sale_pkey" primary key ("event_id", "seat_id", "boarding_stop_id", "alighting_stop_id")
    );`);
    this.addSql(`create table "sale_count" (
      "event_id" uuid not null,
      "available_after" int not null,
      "sold_places" int not null,
      constraint "sale_count_pkey" primary key ("event_id")
    );`);
    this.addSql(`create table "word" (
      "word" text not null,
      constraint "word_pkey" primary key ("word")
    );`);
    this.addSql(`create index "word_trigrams" on "word" using gin ("word" public.gin_trgm_ops);`);
  }

  override down(): void {
    for (const table of ["word", "sale_count", "seat_sale", "ride", "listing"]) {
      this.addSql(`drop table if exists "${table}";`);
    }
  }
}
