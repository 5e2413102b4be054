import { CancelledEventEntity } from "./cancelled-event.js";
import { EventBuyerEntity } from "./event-buyer.js";
import { NotificationEntity } from "./notification.js";
import { NotificationPreferenceEntity } from "./notification-preference.js";

export { CancelledEventEntity, EventBuyerEntity, NotificationEntity, NotificationPreferenceEntity };

/** Every entity of the notification service, for `openDatabase`. */
export const entities = [NotificationEntity, EventBuyerEntity, CancelledEventEntity, NotificationPreferenceEntity];
