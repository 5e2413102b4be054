import { Migration } from "@mikro-orm/migrations";

/**
 * The sold-seat ledger. Unqualified names: the migrator runs in the service's schema. Columns match
 * `SoldSeatEntity`; the primary key is the unique (event_id, seat_index, leg) that refuses a double sale.
 */
export class CreateSoldSeatTable extends Migration {
  override name = "inventory_0001_create_sold_seat";

  override up(): void {
    this.addSql(`create table "sold_seat" (
      "event_id" uuid not null,
      "seat_index" int not null check ("seat_index" >= 0),
      "leg" smallint not null check ("leg" >= 0 and "leg" < 8),
      "order_id" text not null,
      "hold_id" text not null,
      "user_id" text not null,
      "sold_at" timestamptz not null,
      constraint "sold_seat_pkey" primary key ("event_id", "seat_index", "leg")
    );`);
    // Refunds and idempotent re-recording look rows up by order.
    this.addSql(`create index "sold_seat_order" on "sold_seat" ("event_id", "order_id");`);
  }

  override down(): void {
    this.addSql(`drop table if exists "sold_seat";`);
  }
}
