import { createServer, type Server } from "node:http";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * The process's Prometheus metrics: RED per RPC served and per upstream called, retries and breaker
 * state. One registry per process, served on METRICS_PORT at `/metrics`.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const serverRequests = new Counter({
  name: "marquee_rpc_server_requests_total",
  help: "RPCs served, by method and status code.",
  labelNames: ["service", "method", "code"] as const,
  registers: [metricsRegistry],
});

export const serverDuration = new Histogram({
  name: "marquee_rpc_server_duration_seconds",
  help: "Time to serve an RPC (to the last message of a stream).",
  labelNames: ["service", "method"] as const,
  buckets: latencyBuckets,
  registers: [metricsRegistry],
});

export const clientRequests = new Counter({
  name: "marquee_rpc_client_requests_total",
  help: "RPCs sent to upstreams, by attempt outcome.",
  labelNames: ["upstream", "method", "code"] as const,
  registers: [metricsRegistry],
});

export const clientDuration = new Histogram({
  name: "marquee_rpc_client_duration_seconds",
  help: "Time for an upstream RPC, retries included.",
  labelNames: ["upstream", "method"] as const,
  buckets: latencyBuckets,
  registers: [metricsRegistry],
});

export const clientRetries = new Counter({
  name: "marquee_rpc_client_retries_total",
  help: "Retries of idempotent upstream RPCs after UNAVAILABLE.",
  labelNames: ["upstream", "method"] as const,
  registers: [metricsRegistry],
});

export const breakerState = new Gauge({
  name: "marquee_circuit_breaker_state",
  help: "Circuit breaker per upstream: 0 closed, 1 half-open, 2 open.",
  labelNames: ["upstream"] as const,
  registers: [metricsRegistry],
});

/** Serves `/metrics` on `port` (0 picks one); resolves with the server once listening. */
export async function startMetricsServer(port: number, host = "0.0.0.0"): Promise<Server> {
  const server = createServer(async (request, response) => {
    if (request.url !== "/metrics") {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": metricsRegistry.contentType });
    response.end(await metricsRegistry.metrics());
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return server;
}
