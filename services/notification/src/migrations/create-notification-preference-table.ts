import { Migration } from "@mikro-orm/migrations";

/**
 * Each user's notification preferences, one row per user who changed them (none: the defaults). The
 * checks repeat the proto's invariants, so no writer can store what GetNotificationPreferences must not
 * return: the required kinds by email, SMS kinds only with a phone number.
 */
export class CreateNotificationPreferenceTable extends Migration {
  override name = "notification_0002_create_notification_preference_table";

  override up(): void {
    this.addSql(`create table "notification_preference" (
      "user_id" text not null,
      "email_kinds" text[] not null,
      "sms_kinds" text[] not null,
      "sms_phone_number" text not null default '',
      "update_time" timestamptz not null,
      constraint "notification_preference_pkey" primary key ("user_id"),
      constraint "notification_preference_required_email" check (
        "email_kinds" @> array['ORDER_CONFIRMED', 'ORDER_CANCELLED', 'ORDER_REFUNDED', 'EVENT_CANCELLED']::text[]),
      constraint "notification_preference_sms_needs_phone" check (
        cardinality("sms_kinds") = 0 or "sms_phone_number" <> '')
    );`);
  }

  override down(): void {
    this.addSql(`drop table if exists "notification_preference";`);
  }
}
