import { NotificationKind } from "@marquee/proto/marquee/notification/v1/notification_pb.js";

/**
 * The rules of notification preferences, as notification.proto states them, with no I/O: which kinds
 * exist, which are always mailed, the defaults, and what a field mask changes.
 */

/** A kind as stored and compared: NotificationKind's name without its prefix (`ORDER_CONFIRMED`). */
export type KindName = Exclude<keyof typeof NotificationKind, "UNSPECIFIED">;

/** Every kind but UNSPECIFIED, in the enum's order. */
export const allKinds: readonly NotificationKind[] = Object.values(NotificationKind).filter(
  (kind): kind is NotificationKind => typeof kind === "number" && kind !== NotificationKind.UNSPECIFIED,
);

/** The kinds always mailed, because they carry tickets or money (the proto's required_email_kinds). */
export const requiredEmailKinds: readonly NotificationKind[] = [
  NotificationKind.ORDER_CONFIRMED,
  NotificationKind.ORDER_CANCELLED,
  NotificationKind.ORDER_REFUNDED,
  NotificationKind.EVENT_CANCELLED,
];

/** Whether mail of `kind` cannot be turned off. */
export function isRequiredByEmail(kind: KindName): boolean {
  return requiredEmailKinds.includes(NotificationKind[kind]);
}

/** What a user chose, kinds as enum values in the enum's order, without repeats. */
export interface Preferences {
  readonly emailKinds: readonly NotificationKind[];
  readonly smsKinds: readonly NotificationKind[];
  /** E.164, or empty for none. */
  readonly smsPhoneNumber: string;
  /** When the user last changed them; undefined while they are the defaults. */
  readonly updateTime: Date | undefined;
}

/** A user who never changed them: every kind by email, none by SMS. */
export const defaultPreferences: Preferences = {
  emailKinds: allKinds,
  smsKinds: [],
  smsPhoneNumber: "",
  updateTime: undefined,
};

/** The paths an update mask may name. */
export const maskPaths = ["email_kinds", "sms_kinds", "sms_phone_number"] as const;
export type MaskPath = (typeof maskPaths)[number];

/** E.164: "+", a non-zero digit, at most 15 digits in all. */
export const e164 = /^\+[1-9]\d{1,14}$/;

/** `kinds` without repeats, in the enum's order (a list replaces the stored one whole; repeats are ignored). */
export function normalizedKinds(kinds: readonly NotificationKind[]): NotificationKind[] {
  const given = new Set(kinds);
  return allKinds.filter((kind) => given.has(kind));
}

/** `current` with the masked fields taken from `change`; the others stay as they are. */
export function applyMask(
  current: Preferences,
  change: Pick<Preferences, "emailKinds" | "smsKinds" | "smsPhoneNumber">,
  paths: readonly MaskPath[],
  now: Date,
): Preferences {
  return {
    emailKinds: paths.includes("email_kinds") ? normalizedKinds(change.emailKinds) : current.emailKinds,
    smsKinds: paths.includes("sms_kinds") ? normalizedKinds(change.smsKinds) : current.smsKinds,
    smsPhoneNumber: paths.includes("sms_phone_number") ? change.smsPhoneNumber : current.smsPhoneNumber,
    updateTime: now,
  };
}
