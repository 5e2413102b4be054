import { Migration } from "@mikro-orm/migrations";

/**
 * Events whose sales are closed for good (CloseSales, when catalog cancels an event): kept beside the
 * sold-seat ledger so that an event Redis lost is loaded closed, and so that no sale is recorded after the
 * closure (see `store/closed-events.ts`). A row is never deleted: a cancelled event never sells again.
 */
export class CreateClosedEventTable extends Migration {
  override name = "inventory_0003_create_closed_event";

  override up(): void {
    this.addSql(`create table "closed_event" (
      "event_id" uuid not null,
      "closed_at" timestamptz not null,
      constraint "closed_event_pkey" primary key ("event_id")
    );`);
  }

  override down(): void {
    this.addSql(`drop table if exists "closed_event";`);
  }
}
