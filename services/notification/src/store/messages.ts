import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type Notification,
  NotificationChannel,
  NotificationKind,
  type NotificationPreferences,
  NotificationPreferencesSchema,
  NotificationSchema,
  NotificationStatus,
} from "@marquee/proto/marquee/notification/v1/notification_pb.js";
import { type Preferences, requiredEmailKinds } from "../domain/preferences.js";
import type { NotificationRow } from "./notifications.js";

/**
 * Rows as the API shows them. Kinds and channels are stored by their enum names without the prefix
 * (`ORDER_CONFIRMED`, `EMAIL`). The four stored states fold into the proto's three: a FAILED row is
 * still being retried, so PENDING to the user; DEAD is the proto's FAILED.
 */
export function toNotificationMessage(row: NotificationRow): Notification {
  return create(NotificationSchema, {
    id: row.id,
    channel: NotificationChannel[row.channel as keyof typeof NotificationChannel] ?? NotificationChannel.UNSPECIFIED,
    kind: NotificationKind[row.kind],
    recipient: row.recipient,
    subject: row.subject,
    preview: row.preview,
    status: statusOf(row.state),
    orderId: row.orderId ?? "",
    eventId: row.eventId ?? "",
    createTime: timestampFromDate(row.createTime),
    ...(row.state === "SENT" && row.sendTime ? { sendTime: timestampFromDate(row.sendTime) } : {}),
    attemptCount: row.attempts,
    failureReason: row.state === "SENT" ? "" : row.failureReason,
  });
}

function statusOf(state: NotificationRow["state"]): NotificationStatus {
  switch (state) {
    case "SENT":
      return NotificationStatus.SENT;
    case "DEAD":
      return NotificationStatus.FAILED;
    default:
      return NotificationStatus.PENDING;
  }
}

/** Preferences as the API shows them: required_email_kinds always, update_time only once changed. */
export function toPreferencesMessage(preferences: Preferences): NotificationPreferences {
  return create(NotificationPreferencesSchema, {
    emailKinds: [...preferences.emailKinds],
    smsKinds: [...preferences.smsKinds],
    smsPhoneNumber: preferences.smsPhoneNumber,
    requiredEmailKinds: [...requiredEmailKinds],
    ...(preferences.updateTime ? { updateTime: timestampFromDate(preferences.updateTime) } : {}),
  });
}
