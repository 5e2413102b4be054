import { NotificationKind } from "@marquee/proto/marquee/notification/v1/notification_pb.js";
import type { EntityManager } from "@mikro-orm/postgresql";
import { defaultPreferences, isRequiredByEmail, type KindName, type Preferences } from "../domain/preferences.js";

/**
 * Notification preferences in `notification_preference`, one row per user who changed them. Every function
 * runs in the caller's transaction.
 *
 * "It applies to notifications created after it returns" (UpdateNotificationPreferences) is kept with a
 * transaction-scoped advisory lock per user: an update holds it exclusively until it commits, a consumer
 * deciding whether to record a mail holds it shared until its own commit. So a consumer either decided
 * and committed before the update took the lock (the notification was created before the update
 * returned) or reads the update's committed values. A row lock would not do: a user with the defaults
 * has no row to lock.
 */

/** Takes the user's preference lock, exclusive for a change, shared for a read that decides a mail. */
export async function lockPreferences(em: EntityManager, userId: string, mode: "exclusive" | "shared"): Promise<void> {
  const lock = mode === "exclusive" ? "pg_advisory_xact_lock" : "pg_advisory_xact_lock_shared";
  await em.execute(`select ${lock}(hashtextextended(?, 0))`, [`marquee.notification.preference:${userId}`]);
}

/** The user's preferences, or the defaults when they never changed them. */
export async function loadPreferences(em: EntityManager, userId: string): Promise<Preferences> {
  const [row] = await em.execute<
    { email_kinds: string[]; sms_kinds: string[]; sms_phone_number: string; update_time: Date }[]
  >(
    `select "email_kinds", "sms_kinds", "sms_phone_number", "update_time" from "notification_preference" where "user_id" = ?`,
    [userId],
  );
  if (row === undefined) return defaultPreferences;
  return {
    emailKinds: kindsOf(row.email_kinds),
    smsKinds: kindsOf(row.sms_kinds),
    smsPhoneNumber: row.sms_phone_number,
    updateTime: new Date(row.update_time),
  };
}

/** Stores the user's preferences whole, replacing what was there. */
export async function savePreferences(em: EntityManager, userId: string, preferences: Preferences): Promise<void> {
  await em.execute(
    `insert into "notification_preference" ("user_id", "email_kinds", "sms_kinds", "sms_phone_number", "update_time")
     values (?, ?::text[], ?::text[], ?, ?)
     on conflict ("user_id") do update set "email_kinds" = excluded."email_kinds", "sms_kinds" = excluded."sms_kinds",
       "sms_phone_number" = excluded."sms_phone_number", "update_time" = excluded."update_time"`,
    [
      userId,
      namesOf(preferences.emailKinds),
      namesOf(preferences.smsKinds),
      preferences.smsPhoneNumber,
      preferences.updateTime ?? new Date(),
    ],
  );
}

/**
 * Whether the user gets mail of `kind`, decided inside the transaction that records it. A required kind
 * is mailed whatever is stored, without a query or a lock.
 */
export async function isMailWanted(em: EntityManager, userId: string, kind: KindName): Promise<boolean> {
  if (isRequiredByEmail(kind)) return true;
  await lockPreferences(em, userId, "shared");
  const preferences = await loadPreferences(em, userId);
  return preferences.emailKinds.includes(NotificationKind[kind]);
}

/** Stored names to enum values; a name this build does not know is dropped rather than guessed. */
function kindsOf(names: readonly string[]): NotificationKind[] {
  return names
    .map((name) => NotificationKind[name as KindName] as NotificationKind | undefined)
    .filter((kind): kind is NotificationKind => kind !== undefined && kind !== NotificationKind.UNSPECIFIED);
}

/** A Postgres array literal of the kinds' names, e.g. `{ORDER_CONFIRMED,WELCOME}` (names need no quoting). */
function namesOf(kinds: readonly NotificationKind[]): string {
  return `{${kinds.map((kind) => NotificationKind[kind]).join(",")}}`;
}
