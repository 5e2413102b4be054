import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * One user's notification preferences, written by UpdateNotificationPreferences; a user without a row
 * has the defaults (every kind by email, none by SMS). Kinds are NotificationKind names without the
 * prefix, as in `notification.kind`. Read by the consumers when they record a notification of a kind
 * that may be turned off (see `store/preferences.ts`).
 */
export const NotificationPreferenceEntity = defineEntity({
  name: "NotificationPreference",
  tableName: "notification_preference",
  properties: {
    userId: p.text().primary(),
    /** Always holds every kind of required_email_kinds. */
    emailKinds: p.array(),
    /** Not empty only with `smsPhoneNumber` set. */
    smsKinds: p.array(),
    /** E.164, or empty. Not verified; independent of identity's profile number. */
    smsPhoneNumber: p.text(),
    updateTime: p.datetime(),
  },
});

/** A row of the notification_preference table. */
export type NotificationPreferenceEntity = InferEntity<typeof NotificationPreferenceEntity>;
