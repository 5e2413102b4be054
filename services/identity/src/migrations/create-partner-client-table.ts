import { Migration } from "@mikro-orm/migrations";

/**
 * Partner clients for the OAuth2 client-credentials grant (issue #22, item 5). Columns match
 * `PartnerClientEntity` exactly; a revoked client keeps its row (revocation is final and shown to admins).
 */
export class CreatePartnerClientTable extends Migration {
  override name = "identity_0002_create_partner_client";

  override up(): void {
    this.addSql(`create table "partner_client" (
      "client_id" uuid primary key,
      "display_name" text not null,
      "scopes" text[] not null check (cardinality("scopes") > 0),
      "contact_email" text not null default '',
      "secret_hash" text not null constraint "partner_client_secret_hash_key" unique,
      "secret_hint" text not null,
      "creator_user_id" uuid not null,
      "create_time" timestamptz not null,
      "last_use_time" timestamptz null,
      "revoke_time" timestamptz null,
      "revoked_by" uuid null
    );`);
    // ListPartnerClients: newest first; and the revoked-subjects list: the recently revoked.
    this.addSql(
      `create index "partner_client_newest_first" on "partner_client" ("create_time" desc, "client_id" desc);`,
    );
    this.addSql(
      `create index "partner_client_revoked" on "partner_client" ("revoke_time") where "revoke_time" is not null;`,
    );
  }

  override down(): void {
    this.addSql(`drop table if exists "partner_client";`);
  }
}
