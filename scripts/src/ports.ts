/**
 * The one table of local ports: every process the launcher starts, its gRPC `PORT` and its `METRICS_PORT`.
 * `MARQUEE_PORT_OFFSET` shifts all of them, so a test can start a second stack beside a developer's.
 */
export interface ServiceSlot {
  /** Folder under `services/`, npm `@marquee/<name>`, `OTEL_SERVICE_NAME`, log label. */
  readonly name: string;
  readonly port: number;
  readonly metricsPort: number;
  /** Services it calls: each becomes `<NAME>_ADDR` in its environment. */
  readonly upstreams: readonly string[];
}

/** In start order: a service starts after its upstreams. */
export const serviceSlots: readonly ServiceSlot[] = [
  { name: "identity", port: 50051, metricsPort: 9451, upstreams: [] },
  { name: "catalog", port: 50052, metricsPort: 9452, upstreams: [] },
  { name: "payment", port: 50056, metricsPort: 9456, upstreams: [] },
  { name: "inventory", port: 50054, metricsPort: 9454, upstreams: ["catalog"] },
  { name: "ordering", port: 50055, metricsPort: 9455, upstreams: ["catalog", "inventory", "payment"] },
  { name: "search", port: 50053, metricsPort: 9453, upstreams: [] },
  { name: "notification", port: 50057, metricsPort: 9457, upstreams: [] },
];

/** Everything else the launcher runs. The BFF is the one port a browser or a partner needs. */
export const fixedPorts = { bff: 8080, bffMetrics: 9480, postgres: 5433, redis: 6380 } as const;
