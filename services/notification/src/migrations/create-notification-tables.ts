import { Migration } from "@mikro-orm/migrations";

/**
 * The notifications, unique per (source event, user, channel) — the guard that a redelivered event never
 * makes a second mail —, indexed for the sender (what is due) and for ListMyNotifications (a user's,
 * newest first); the buyers per event and the cancelled events, for EventCancelled.
 */
export class CreateNotificationTables extends Migration {
  override name = "notification_0001_create_notification_tables";

  override up(): void {
    this.addSql(`create table "notification" (
      "id" uuid not null,
      "user_id" text not null,
      "kind" text not null,
      "channel" text not null,
      "recipient" text not null,
      "subject" text not null,
      "preview" text not null,
      "state" text not null,
      "attempts" int not null default 0,
      "next_attempt_time" timestamptz not null,
      "lease_until" timestamptz null,
      "send_time" timestamptz null,
      "failure_reason" text not null default '',
      "source_event_id" uuid not null,
      "order_id" uuid null,
      "event_id" uuid null,
      "data" jsonb not null,
      "create_time" timestamptz not null,
      constraint "notification_pkey" primary key ("id"),
      constraint "notification_once_per_recipient" unique ("source_event_id", "user_id", "channel")
    );`);
    this.addSql(
      `create index "notification_due" on "notification" ("next_attempt_time") where "state" in ('PENDING', 'FAILED');`,
    );
    this.addSql(`create index "notification_by_user" on "notification" ("user_id", "create_time" desc, "id" desc);`);
    this.addSql(`create table "event_buyer" (
      "order_id" uuid not null,
      "event_id" uuid not null,
      "user_id" text not null,
      "email" text not null,
      "ticket_count" int not null,
      "refunded_ticket_count" int not null default 0,
      "confirm_time" timestamptz not null,
      "void_time" timestamptz null,
      constraint "event_buyer_pkey" primary key ("order_id")
    );`);
    this.addSql(`create index "event_buyer_by_event" on "event_buyer" ("event_id");`);
    this.addSql(`create table "cancelled_event" (
      "event_id" uuid not null,
      "source_event_id" uuid not null,
      "reason" text not null,
      "cancel_time" timestamptz not null,
      constraint "cancelled_event_pkey" primary key ("event_id")
    );`);
  }

  override down(): void {
    this.addSql(`drop table if exists "cancelled_event";`);
    this.addSql(`drop table if exists "event_buyer";`);
    this.addSql(`drop table if exists "notification";`);
  }
}
