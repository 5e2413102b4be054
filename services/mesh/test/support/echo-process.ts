// A whole service process for the run-service test: started with tsx, stopped with signals.
import { createLogger, runService } from "../../src/index.js";
import { meshTestService } from "./mesh-test-service.js";

const counters = { charge: 0, validated: 0, echo: 0 };
const running = await runService({
  log: createLogger("echo-process", "silent"),
  port: 0,
  metricsPort: 0,
  jwksUrl: process.env.AUTH_JWKS_URL as string,
  services: [meshTestService(counters)],
  drainMs: 5000,
});
const metricsAddress = running.metrics.address();
process.stdout.write(
  `${JSON.stringify({ port: running.server.port, metricsPort: typeof metricsAddress === "object" ? metricsAddress?.port : 0 })}\n`,
);
