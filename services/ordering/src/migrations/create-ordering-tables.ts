import { Migration } from "@mikro-orm/migrations";

/**
 * Orders with the saga's progress, their tickets and refunds, and the keys tickets are signed with. Unqualified names:
 * the migrator runs in the service's schema. Columns match the entities exactly; constraints and indexes
 * are declared here only.
 */
export class CreateOrderingTables extends Migration {
  override name = "ordering_0001_create_tables";

  override up(): void {
    this.addSql(`create table "order" (
      "id" uuid primary key,
      "user_id" text not null,
      "event_id" uuid not null,
      "organizer_id" text not null,
      "hold_id" text not null,
      "ride" jsonb,
      "state" text not null,
      "saga_step" text not null,
      "line_items" jsonb not null,
      "currency_code" text not null,
      "subtotal_minor" bigint not null,
      "fees_minor" bigint not null,
      "total_minor" bigint not null,
      "discount_code_id" uuid,
      "discount_code" text not null default '',
      "discount_minor" bigint not null default 0,
      "buyer" jsonb not null,
      "payment_method_token" text,
      "payment_id" text not null default '',
      "card_brand" text not null default '',
      "card_last4" text not null default '',
      "failure_reason" text not null default '',
      "failure_message" text not null default '',
      "decline_code" text not null default '',
      "idempotency_key" text not null,
      "request_fingerprint" text not null,
      "lease_owner" text,
      "lease_until" timestamptz,
      "attempts" int not null default 0,
      "last_error_code" text not null default '',
      "expire_time" timestamptz not null,
      "create_time" timestamptz not null,
      "update_time" timestamptz not null,
      "confirm_time" timestamptz,
      "cancel_time" timestamptz,
      check ("total_minor" = "subtotal_minor" + "fees_minor"),
      check ("total_minor" >= 0)
    );`);
    // One order per checkout attempt of a caller: the idempotency key's scope.
    this.addSql(`create unique index "order_idempotency" on "order" ("user_id", "idempotency_key");`);
    // A hold pays for one order: a declined card leaves it for the next attempt, nothing else does.
    this.addSql(
      `create unique index "order_one_per_hold" on "order" ("hold_id") where "state" not in ('FAILED', 'EXPIRED');`,
    );
    // Booking history, newest first; the saga resumer's scan of unfinished checkouts.
    this.addSql(`create index "order_by_user" on "order" ("user_id", "create_time" desc, "id" desc);`);
    // ListOrders, newest first: an organizer's orders, an event's, a buyer's by email (as it compares them,
    // lower-cased), and an admin's unfiltered list.
    this.addSql(`create index "order_by_organizer" on "order" ("organizer_id", "create_time" desc, "id" desc);`);
    this.addSql(`create index "order_by_event" on "order" ("event_id", "create_time" desc, "id" desc);`);
    this.addSql(
      `create index "order_by_buyer_email" on "order" (lower("buyer" ->> 'email'), "create_time" desc, "id" desc);`,
    );
    this.addSql(`create index "order_newest" on "order" ("create_time" desc, "id" desc);`);
    this.addSql(`create index "order_pending" on "order" ("lease_until") where "state" = 'PENDING';`);

    this.addSql(`create table "ticket" (
      "id" uuid primary key,
      "order_id" uuid not null references "order" ("id"),
      "event_id" uuid not null,
      "user_id" text not null,
      "line" int not null,
      "ride" jsonb,
      "seat_id" text not null,
      "seat_label" text not null,
      "section_id" text not null,
      "section_name" text not null,
      "price_tier_id" text not null,
      "price_tier_name" text not null,
      "attendee_name" text not null,
      "state" text not null,
      "qr_payload" text not null,
      "issue_time" timestamptz not null,
      "use_time" timestamptz,
      "use_scan_id" text,
      "void_time" timestamptz,
      unique ("order_id", "line")
    );`);
    this.addSql(`create index "ticket_by_event" on "ticket" ("event_id");`);

    this.addSql(`create table "refund" (
      "id" uuid primary key,
      "order_id" uuid not null references "order" ("id"),
      "ticket_ids" jsonb not null,
      "currency_code" text not null,
      "amount_minor" bigint not null check ("amount_minor" > 0),
      "reason" text not null,
      "note" text not null,
      "state" text not null,
      "requester_id" text not null,
      "payment_refund_id" text not null default '',
      "seats_released" boolean not null default true,
      "idempotency_key" text not null,
      "request_fingerprint" text not null,
      "create_time" timestamptz not null,
      "complete_time" timestamptz
    );`);
    // A refund per request of a requester; ordering's own refunds use keys derived from the order.
    this.addSql(`create unique index "refund_idempotency" on "refund" ("order_id", "idempotency_key");`);
    // The refund follower's work: refunds not yet settled, or whose seats are not yet back on sale.
    this.addSql(
      `create index "refund_unfinished" on "refund" ("create_time") where "state" = 'PENDING' or not "seats_released";`,
    );

    this.addSql(`create table "discount_code" (
      "id" uuid primary key,
      "event_id" uuid not null,
      "organizer_id" text not null,
      "code" text not null,
      "percent_off" int not null default 0,
      "currency_code" text not null,
      "amount_off_minor" bigint not null default 0,
      "max_uses" int not null,
      "use_count" int not null default 0,
      "valid_until" timestamptz,
      "create_time" timestamptz not null,
      unique ("event_id", "code"),
      check ("use_count" >= 0),
      check ("max_uses" = 0 or "use_count" <= "max_uses"),
      check (("percent_off" between 1 and 100) <> ("amount_off_minor" > 0))
    );`);

    this.addSql(`create table "ticket_signing_key" (
      "id" text primary key,
      "private_key" text not null,
      "public_key" text not null,
      "create_time" timestamptz not null
    );`);
  }
}
