import { Migration } from "@mikro-orm/migrations";

/**
 * Accounts, sessions and their refresh tokens, mailed link tokens, signing keys and the throttle's
 * events. What must hold however many replicas race is a constraint here: one account per address
 * (`user_email_key_key`), one row per token hash, at most one CURRENT and one NEXT signing key. Secrets
 * are only ever stored hashed, but for the signing keys' private halves (see the entity). Unqualified
 * names: the migrator runs in the service's schema. Columns match the entities exactly.
 */
export class CreateIdentityTables extends Migration {
  override name = "identity_0001_create_tables";

  override up(): void {
    this.addSql(`create table "user" (
      "id" uuid primary key,
      "email" text not null,
      "email_key" text not null constraint "user_email_key_key" unique,
      "display_name" text not null,
      "phone_number" text not null default '',
      "password_hash" text null,
      "roles" text[] not null check ('customer' = any ("roles")),
      "email_verify_time" timestamptz null,
      "disable_time" timestamptz null,
      "disable_reason" text not null default '',
      "disabled_by" uuid null,
      "create_time" timestamptz not null,
      "update_time" timestamptz not null,
      "last_login_time" timestamptz null
    );`);
    // ListUsers: newest first, and the revocation list: the recently disabled.
    this.addSql(`create index "user_newest_first" on "user" ("create_time" desc, "id" desc);`);
    this.addSql(`create index "user_disabled" on "user" ("disable_time") where "disable_time" is not null;`);
    this.addSql(`create table "session" (
      "id" uuid primary key,
      "user_id" uuid not null references "user" ("id") on delete cascade,
      "create_time" timestamptz not null,
      "expire_time" timestamptz not null,
      "revoke_time" timestamptz null,
      "revoke_reason" text not null default ''
    );`);
    this.addSql(`create index "session_live_of_user" on "session" ("user_id") where "revoke_time" is null;`);
    this.addSql(`create table "refresh_token" (
      "id" uuid primary key,
      "session_id" uuid not null references "session" ("id") on delete cascade,
      "token_hash" text not null constraint "refresh_token_token_hash_key" unique,
      "create_time" timestamptz not null,
      "use_time" timestamptz null
    );`);
    this.addSql(`create table "link_token" (
      "id" uuid primary key,
      "user_id" uuid not null references "user" ("id") on delete cascade,
      "purpose" text not null check ("purpose" in ('VERIFY_EMAIL', 'RESET_PASSWORD')),
      "token_hash" text not null constraint "link_token_token_hash_key" unique,
      "create_time" timestamptz not null,
      "expire_time" timestamptz not null,
      "use_time" timestamptz null
    );`);
    this.addSql(`create table "signing_key" (
      "kid" text primary key,
      "state" text not null check ("state" in ('NEXT', 'CURRENT', 'RETIRED', 'DROPPED')),
      "private_jwk" jsonb null,
      "public_jwk" jsonb not null,
      "create_time" timestamptz not null,
      "activate_time" timestamptz null,
      "retire_time" timestamptz null,
      "drop_time" timestamptz null,
      constraint "signing_key_private_until_dropped" check (("state" = 'DROPPED') = ("private_jwk" is null))
    );`);
    this.addSql(`create unique index "signing_key_one_current" on "signing_key" ("state") where "state" = 'CURRENT';`);
    this.addSql(`create unique index "signing_key_one_next" on "signing_key" ("state") where "state" = 'NEXT';`);
    this.addSql(`create table "throttle_event" (
      "id" uuid primary key,
      "action" text not null,
      "key" text not null,
      "event_time" timestamptz not null
    );`);
    this.addSql(`create index "throttle_event_window" on "throttle_event" ("action", "key", "event_time");`);
    this.addSql(`create index "throttle_event_age" on "throttle_event" ("event_time");`);
  }

  override down(): void {
    for (const table of ["throttle_event", "signing_key", "link_token", "refresh_token", "session", "user"]) {
      this.addSql(`drop table if exists "${table}";`);
    }
  }
}
