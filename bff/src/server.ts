import "@marquee/mesh/telemetry";
import { createLogger, startMetricsServer, stopGracefullyOnSignals } from "@marquee/mesh";
import { config, publicServices, upstreamAddressOf } from "./config.js";
import { startGateway } from "./gateway/index.js";

/** How long in-flight calls may take to finish on SIGTERM; keep the chart's grace period longer. */
const drainMs = 10_000;

const log = createLogger("bff");
const metrics = await startMetricsServer(config.METRICS_PORT);
const gateway = await startGateway({
  services: publicServices,
  addressOf: upstreamAddressOf,
  jwksUrl: config.AUTH_JWKS_URL,
  log,
  port: config.PORT,
  maxRequestBytes: config.MAX_REQUEST_BYTES,
  requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
  corsOrigins: config.CORS_ORIGINS,
});

stopGracefullyOnSignals(log, async () => {
  log.info({ drainMs }, "shutting down");
  await gateway.shutdown(drainMs);
  await new Promise<void>((resolve) => metrics.close(() => resolve()));
});
