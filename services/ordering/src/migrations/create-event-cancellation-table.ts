import { Migration } from "@mikro-orm/migrations";

/**
 * The events catalog cancelled, each a piece of work: its orders to refund (confirmed) or cancel (still in
 * checkout). A row is written in the transaction of the EventCancelled's inbox entry, so it exists once
 * however often the event is delivered; the cancellation worker works it off in bounded batches and marks
 * it done when no order of the event is left holding tickets or in checkout. The order rows themselves are
 * the cursor: an order refunded is no longer CONFIRMED, so a crash between two batches resumes where it
 * stopped, and no order is taken twice.
 */
export class CreateEventCancellationTable extends Migration {
  override name = "ordering_0003_create_event_cancellation";

  override up(): void {
    this.addSql(`create table "event_cancellation" (
      "event_id" uuid primary key,
      "source_event_id" uuid not null,
      "reason" text not null,
      "cancel_time" timestamptz not null,
      "state" text not null check ("state" in ('REFUNDING', 'DONE')),
      "orders_refunded" integer not null default 0,
      "orders_cancelled" integer not null default 0,
      "done_time" timestamptz null
    );`);
    this.addSql(
      `create index "event_cancellation_refunding" on "event_cancellation" ("cancel_time") where "state" = 'REFUNDING';`,
    );
    // The worker's batches: an event's orders that still hold tickets or are in checkout.
    this.addSql(
      `create index "order_live_by_event" on "order" ("event_id", "id") where "state" in ('CONFIRMED', 'PARTIALLY_REFUNDED', 'PENDING');`,
    );
  }
}
