import { Migration } from "@mikro-orm/migrations";

/**
 * Social sign-in asks for the second factor too (issue #22): a challenge remembers how its first factor
 * was given (`amr`), so CompleteLogin's session says ["fed", "otp"] after a provider and ["pwd", "otp"]
 * after a password. Challenges opened before this migration were Login's: the default says so.
 */
export class AddChallengeFirstFactor extends Migration {
  override name = "identity_0005_challenge_first_factor";

  override up(): void {
    this.addSql(`alter table "mfa_challenge" add column "amr" text[] not null default '{pwd}';`);
  }

  override down(): void {
    this.addSql(`alter table "mfa_challenge" drop column if exists "amr";`);
  }
}
