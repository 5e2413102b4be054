import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * One counted event of a sliding-window limit — a failed sign-in, a registration, a mail sent — under
 * the key it counts against (`email:<address>`, `ip:<address>`, `user:<id>`). In PostgreSQL rather than
 * in memory so that the limits hold across replicas; rows older than the window are pruned.
 */
export const ThrottleEventEntity = defineEntity({
  name: "ThrottleEvent",
  tableName: "throttle_event",
  properties: {
    id: p.uuid().primary(),
    /** LOGIN_FAILURE, REGISTRATION or MAIL. */
    action: p.text(),
    key: p.text(),
    eventTime: p.datetime(),
  },
});

/** A row of the throttle_event table. */
export type ThrottleEventEntity = InferEntity<typeof ThrottleEventEntity>;
