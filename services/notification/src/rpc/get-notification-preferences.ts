import { callerIdOf, defineRpc } from "@marquee/mesh";
import { NotificationService } from "@marquee/proto/marquee/notification/v1/notification_pb.js";
import type { Notifications } from "../notifications.js";
import { toPreferencesMessage } from "../store/messages.js";
import { loadPreferences } from "../store/preferences.js";

/**
 * NotificationService.GetNotificationPreferences: the caller's stored preferences, or the defaults —
 * every kind by email, none by SMS, no update_time — when they never changed them.
 */
export const getNotificationPreferences = defineRpc(NotificationService.method.getNotificationPreferences, {
  rules() {},
  handler(notifications: Notifications) {
    return async (_request, call) => {
      const preferences = await loadPreferences(notifications.orm.em.fork(), callerIdOf(call));
      return { preferences: toPreferencesMessage(preferences) };
    };
  },
});
