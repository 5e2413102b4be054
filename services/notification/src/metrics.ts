import { metricsRegistry } from "@marquee/mesh";
import { Counter } from "prom-client";

/** The notification service's own Prometheus metrics, beside the mesh's RED metrics per RPC. */

export const sendAttempts = new Counter({
  name: "notification_send_attempts_total",
  help: "Attempts to send a notification, by kind and outcome: sent, failed (retried later), dead (given up).",
  labelNames: ["kind", "outcome"] as const,
  registers: [metricsRegistry],
});

export const deadNotifications = new Counter({
  name: "notification_dead_total",
  help: "Notifications given up after SEND_MAX_ATTEMPTS failed attempts (dead letters), by kind.",
  labelNames: ["kind"] as const,
  registers: [metricsRegistry],
});
