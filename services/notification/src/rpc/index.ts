/** One entry per RPC of NotificationService, each from its own file (`ListMyNotifications` → `list-my-notifications.ts`). */
export { getNotificationPreferences } from "./get-notification-preferences.js";
export { listMyNotifications } from "./list-my-notifications.js";
export { updateNotificationPreferences } from "./update-notification-preferences.js";
