import { callerIdOf, decodePageToken, defineRpc, encodePageToken, isTimeAndId, pageSizeOf } from "@marquee/mesh";
import {
  NotificationChannel,
  NotificationKind,
  NotificationService,
} from "@marquee/proto/marquee/notification/v1/notification_pb.js";
import type { Notifications } from "../notifications.js";
import { toNotificationMessage } from "../store/messages.js";
import { listNotifications } from "../store/notifications.js";

/** Page sizes of ListMyNotifications: default 20, at most 100, as the proto says. */
const pageSizes = { default: 20, max: 100 } as const;

/** NotificationService.ListMyNotifications: the caller's notifications, newest first, with filters. */
export const listMyNotifications = defineRpc(NotificationService.method.listMyNotifications, {
  rules(request, check) {
    check.that("page_size", request.pageSize >= 0, "must not be negative");
    check.that("channel", NotificationChannel[request.channel] !== undefined, "is not a NotificationChannel");
    check.that("kind", NotificationKind[request.kind] !== undefined, "is not a NotificationKind");
    if (request.orderId !== "") check.uuid("order_id", request.orderId);
  },
  handler(notifications: Notifications) {
    return async (request, call) => {
      const filters = {
        channel: request.channel === NotificationChannel.UNSPECIFIED ? undefined : NotificationChannel[request.channel],
        kind: request.kind === NotificationKind.UNSPECIFIED ? undefined : NotificationKind[request.kind],
        orderId: request.orderId === "" ? undefined : request.orderId,
      };
      const after = decodePageToken("my-notifications", filters, request.pageToken, isTimeAndId);
      const limit = pageSizeOf(request.pageSize, pageSizes);
      const { rows, last } = await listNotifications(
        notifications.orm,
        { userId: callerIdOf(call), ...filters },
        after,
        limit,
      );
      return {
        notifications: rows.map(toNotificationMessage),
        nextPageToken: last ? encodePageToken("my-notifications", filters, last) : "",
      };
    };
  },
});
