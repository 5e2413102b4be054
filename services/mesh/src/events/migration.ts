import { Migration } from "@mikro-orm/migrations";

/**
 * Creates the event bus's tables, `outbox` and `inbox`, in the service's schema. Every service that
 * writes or consumes events puts this class in its migration list, before its own migrations:
 *
 * ```ts
 * export const migrations = [EventBusMigration, Migration20260601120000Venues];
 * ```
 *
 * Its recorded name stays `mesh_event_bus_1` whatever a bundler makes of the class name.
 */
export class EventBusMigration extends Migration {
  override name = "mesh_event_bus_1";

  override up(): void {
    // Unqualified: the migrator sets search_path to the service's schema first. Matches the DDL MikroORM
    // derives from OutboxEntry and InboxEntry, so a schema diff stays empty.
    this.addSql(
      `create table "outbox" ("seq" bigserial primary key, "id" uuid not null, "type" text not null, "subject" text not null, "envelope" bytea not null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`alter table "outbox" add constraint "outbox_id_unique" unique ("id");`);
    this.addSql(
      `create table "inbox" ("consumer_group" text not null, "event_id" uuid not null, "handled_at" timestamptz not null default now(), primary key ("consumer_group", "event_id"));`,
    );
  }

  override down(): void {
    this.addSql(`drop table if exists "inbox";`);
    this.addSql(`drop table if exists "outbox";`);
  }
}
