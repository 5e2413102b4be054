import { metricsRegistry } from "@marquee/mesh";
import { Counter, Gauge, Histogram } from "prom-client";

/**
 * The gateway's health as this process sees it, on the process's `/metrics` beside the mesh's RPC
 * metrics, in the same shape as the mesh's upstream metrics (`services/mesh/src/metrics.ts`): attempts
 * by outcome, retries, latency, and the circuit breaker's state.
 */

export const gatewayAttempts = new Counter({
  name: "marquee_payment_gateway_attempts_total",
  help: "Attempts of gateway calls, by operation and outcome (an HTTP status, timeout, network or breaker_open).",
  labelNames: ["provider", "operation", "outcome"] as const,
  registers: [metricsRegistry],
});

export const gatewayRetries = new Counter({
  name: "marquee_payment_gateway_retries_total",
  help: "Retries of gateway calls after a timeout, a 5xx, a 409 in-use or a network error (same idempotency key).",
  labelNames: ["provider", "operation"] as const,
  registers: [metricsRegistry],
});

export const gatewayDuration = new Histogram({
  name: "marquee_payment_gateway_duration_seconds",
  help: "Time for a gateway call, retries included.",
  labelNames: ["provider", "operation"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});

export const gatewayBreakerState = new Gauge({
  name: "marquee_payment_gateway_breaker_state",
  help: "Circuit breaker of the gateway: 0 closed, 1 half-open, 2 open.",
  labelNames: ["provider"] as const,
  registers: [metricsRegistry],
});
