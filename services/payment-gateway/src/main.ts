/**
 * The simulator as a process (`npm start`): reads its variables, listens, logs its URL as one JSON line,
 * and on SIGINT/SIGTERM stops listening, ends open requests and flushes telemetry before exiting 0.
 */
import "@marquee/mesh/telemetry";
import { createLogger, loadConfigOrExit, stopGracefullyOnSignals } from "@marquee/mesh";
import { gatewaySettings, optionsOf } from "./config.js";
import { startPaymentGateway } from "./server.js";

const config = loadConfigOrExit("payment-gateway", gatewaySettings);
const log = createLogger("payment-gateway", config.LOG_LEVEL);
const gateway = await startPaymentGateway({ ...optionsOf(config), log });
log.info(
  { url: gateway.url, port: gateway.port, webhook_urls: config.WEBHOOK_URLS, allowed_origins: config.ALLOWED_ORIGINS },
  "listening (state in memory: a restart forgets every token, intent, refund and idempotency key)",
);
stopGracefullyOnSignals(log, () => gateway.close());
