import { Migration } from "@mikro-orm/migrations";

/**
 * Two-factor sign-in (issue #22, item 4): TOTP secrets (sealed, one per user), recovery codes (hashed),
 * Login's challenges (hashed), the user's `totp_enable_time`, and each session's `amr`. Sessions opened
 * before this migration were password sign-ins: the default says so. Columns match the entities exactly.
 */
export class AddTwoFactor extends Migration {
  override name = "identity_0003_two_factor";

  override up(): void {
    this.addSql(`alter table "user" add column "totp_enable_time" timestamptz null;`);
    this.addSql(`alter table "session" add column "amr" text[] not null default '{pwd}';`);
    this.addSql(`create table "totp_factor" (
      "user_id" uuid primary key references "user" ("id") on delete cascade,
      "secret_sealed" text not null,
      "create_time" timestamptz not null,
      "expire_time" timestamptz null,
      "confirm_time" timestamptz null,
      "last_used_step" integer null,
      constraint "totp_factor_pending_or_confirmed" check (("expire_time" is null) = ("confirm_time" is not null))
    );`);
    this.addSql(`create table "recovery_code" (
      "id" uuid primary key,
      "user_id" uuid not null references "user" ("id") on delete cascade,
      "code_hash" text not null constraint "recovery_code_code_hash_key" unique,
      "create_time" timestamptz not null,
      "use_time" timestamptz null
    );`);
    this.addSql(`create index "recovery_code_of_user" on "recovery_code" ("user_id");`);
    this.addSql(`create table "mfa_challenge" (
      "id" uuid primary key,
      "user_id" uuid not null references "user" ("id") on delete cascade,
      "token_hash" text not null constraint "mfa_challenge_token_hash_key" unique,
      "create_time" timestamptz not null,
      "expire_time" timestamptz not null,
      "use_time" timestamptz null
    );`);
    this.addSql(`create index "mfa_challenge_age" on "mfa_challenge" ("expire_time");`);
  }

  override down(): void {
    for (const table of ["mfa_challenge", "recovery_code", "totp_factor"]) {
      this.addSql(`drop table if exists "${table}";`);
    }
    this.addSql(`alter table "session" drop column if exists "amr";`);
    this.addSql(`alter table "user" drop column if exists "totp_enable_time";`);
  }
}
