import { Migration } from "@mikro-orm/migrations";

/**
 * Trips of up to 32 legs (`MAX_LEGS` of @marquee/mesh): the ledger's legs were bounded to the 8 one seat
 * byte carried. The constraint is the one PostgreSQL named for the column's check in the first migration.
 */
export class WidenSoldSeatLegs extends Migration {
  override name = "inventory_0002_widen_sold_seat_legs";

  override up(): void {
    this.addSql(`alter table "sold_seat" drop constraint "sold_seat_leg_check";`);
    this.addSql(`alter table "sold_seat" add constraint "sold_seat_leg_check" check ("leg" >= 0 and "leg" < 32);`);
  }

  override down(): void {
    this.addSql(`alter table "sold_seat" drop constraint "sold_seat_leg_check";`);
    this.addSql(`alter table "sold_seat" add constraint "sold_seat_leg_check" check ("leg" >= 0 and "leg" < 8);`);
  }
}
