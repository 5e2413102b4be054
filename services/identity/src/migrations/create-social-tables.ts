import { Migration } from "@mikro-orm/migrations";

/**
 * Social sign-in (issue #22 item 3): the links between users and provider accounts, and the authorization
 * code flows under way. The constraints are what must hold however requests race: a provider account links
 * to one user, a user has one account per provider, a state names one flow. Columns match the entities.
 */
export class CreateSocialTables extends Migration {
  override name = "identity_social_login";

  override up(): void {
    this.addSql(`create table "social_link" (
      "id" uuid primary key,
      "user_id" uuid not null references "user" ("id") on delete cascade,
      "provider" text not null,
      "subject" text not null,
      "email" text not null default '',
      "link_time" timestamptz not null,
      constraint "social_link_provider_subject_key" unique ("provider", "subject"),
      constraint "social_link_user_provider_key" unique ("user_id", "provider")
    );`);
    this.addSql(`create table "social_flow" (
      "id" uuid primary key,
      "provider" text not null,
      "state_hash" text not null constraint "social_flow_state_hash_key" unique,
      "flow_key_hash" text not null,
      "nonce" text not null,
      "code_verifier" text not null,
      "create_time" timestamptz not null,
      "expire_time" timestamptz not null,
      "use_time" timestamptz null
    );`);
    // Starting a flow deletes the long-expired ones.
    this.addSql(`create index "social_flow_expiry" on "social_flow" ("expire_time");`);
  }

  override down(): void {
    this.addSql(`drop table if exists "social_flow";`);
    this.addSql(`drop table if exists "social_link";`);
  }
}
