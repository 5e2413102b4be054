import { Migration } from "@mikro-orm/migrations";

/**
 * Venues with their seat maps, events with their frozen copies. Unqualified names: the migrator runs in
 * the service's schema. Columns match the entities exactly; constraints and indexes are declared here only.
 */
export class CreateCatalogTables extends Migration {
  override name = "catalog_0001_create_tables";

  override up(): void {
    this.createVenueTable();
    this.addSql(sectionTable("venue_section", "venue_id", "venue"));
    this.addSql(seatTable("venue_seat", "venue_id", "venue"));
    this.createEventTable();
    this.addSql(sectionTable("event_section", "event_id", "event"));
    this.addSql(seatTable("event_seat", "event_id", "event"));
  }

  private createVenueTable(): void {
    this.addSql(`create table "venue" (
      "id" uuid primary key,
      "organizer_id" text not null,
      "name" text not null,
      "city" text not null,
      "address" text not null,
      "country_code" text not null,
      "time_zone" text not null,
      "capacity" int not null,
      "create_time" timestamptz not null,
      "update_time" timestamptz not null
    );`);
    // ListVenues: newest first, per organizer or for an admin.
    this.addSql(`create index "venue_organizer_newest" on "venue" ("organizer_id", "create_time" desc, "id" desc);`);
    this.addSql(`create index "venue_newest" on "venue" ("create_time" desc, "id" desc);`);
  }

  private createEventTable(): void {
    // No foreign key to venue: a cancelled event outlives its venue, and keeps its frozen map and name.
    this.addSql(`create table "event" (
      "id" uuid primary key,
      "organizer_id" text not null,
      "kind" text not null check ("kind" in ('EVENT', 'TRIP')),
      "category" text not null,
      "title" text not null,
      "description" text not null,
      "venue_id" uuid not null,
      "venue_name" text not null,
      "city" text not null,
      "cities" text[] not null,
      "start_time" timestamptz not null,
      "end_time" timestamptz not null,
      "stops" jsonb not null,
      "currency_code" text not null,
      "price_tiers" jsonb not null,
      "fares" jsonb not null,
      "hold_max_seats_per_user" int not null,
      "hold_duration_ms" int not null,
      "hold_max_extensions" int not null,
      "sales_start_time" timestamptz null,
      "sales_end_time" timestamptz null,
      "state" text not null check ("state" in ('DRAFT', 'PUBLISHED', 'CANCELLED')),
      "cancel_reason" text not null,
      "capacity" int not null,
      "map_version" bigint not null,
      "create_time" timestamptz not null,
      "update_time" timestamptz not null,
      "publish_time" timestamptz null
    );`);
    // ListEvents: published only, soonest first, then filtered by city (any of the cities).
    this.addSql(`create index "event_published_soonest" on "event" ("start_time", "id") where "state" = 'PUBLISHED';`);
    this.addSql(`create index "event_cities" on "event" using gin ("cities");`);
    // ListMyEvents: newest first, per organizer or for an admin.
    this.addSql(`create index "event_organizer_newest" on "event" ("organizer_id", "create_time" desc, "id" desc);`);
    this.addSql(`create index "event_newest" on "event" ("create_time" desc, "id" desc);`);
    // DeleteVenue and venue edits look up the events of a venue.
    this.addSql(`create index "event_venue" on "event" ("venue_id");`);
  }

  override down(): void {
    for (const table of ["event_seat", "event_section", "event", "venue_seat", "venue_section", "venue"]) {
      this.addSql(`drop table if exists "${table}";`);
    }
  }
}

/** A seat map's sections, owned by a venue or an event (see `sectionColumns`). */
function sectionTable(table: string, owner: string, references: string): string {
  return `create table "${table}" (
    "${owner}" uuid not null references "${references}" ("id") on delete cascade,
    "position" int not null,
    "id" text not null,
    "name" text not null,
    "is_general_admission" boolean not null,
    "capacity" int not null,
    "min_x" double precision not null,
    "min_y" double precision not null,
    "max_x" double precision not null,
    "max_y" double precision not null,
    primary key ("${owner}", "position"),
    constraint "${table}_id_unique" unique ("${owner}", "id")
  );`;
}

/** A seat map's seats, owned by a venue or an event (see `seatColumns`). */
function seatTable(table: string, owner: string, references: string): string {
  return `create table "${table}" (
    "${owner}" uuid not null references "${references}" ("id") on delete cascade,
    "seat_index" int not null,
    "id" text not null,
    "section_id" text not null,
    "row_label" text not null,
    "label" text not null,
    "x" double precision not null,
    "y" double precision not null,
    "seat_class" text not null,
    "is_accessible" boolean not null,
    primary key ("${owner}", "seat_index"),
    constraint "${table}_id_unique" unique ("${owner}", "id")
  );`;
}
