import "@marquee/mesh/telemetry";
import {
  createLogger,
  createServiceTokenMinter,
  readSigningKey,
  startMetricsServer,
  stopGracefullyOnSignals,
} from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { config, publicServices, upstreamAddressOf } from "./config.js";
import { type GatewayOptions, startGateway } from "./gateway/index.js";
import { configuredRateLimits } from "./rate-limits.js";

/** How long in-flight calls may take to finish on SIGTERM; keep the chart's grace period longer. */
const drainMs = 10_000;

const log = createLogger("bff");

/** With identity's address, the BFF polls its revoked-subjects list, calling as `svc:bff`. */
async function revocationOf(identityAddress: string): Promise<GatewayOptions["revocation"]> {
  if (identityAddress === "") return undefined;
  if (config.AUTH_SIGNING_KEY_FILE === "") {
    throw new Error(
      "IDENTITY_ADDR is set but AUTH_SIGNING_KEY_FILE is not: the revoked-subjects poll calls identity with the BFF's service token",
    );
  }
  const minter = createServiceTokenMinter({
    service: "bff",
    signingKey: await readSigningKey(config.AUTH_SIGNING_KEY_FILE),
  });
  return { identityAddress, serviceToken: () => minter.token(), intervalMs: config.REVOCATION_POLL_INTERVAL_MS };
}

/** The rate limits as configured; undefined with RATE_LIMITS=off. */
function rateLimitsOf(): GatewayOptions["rateLimits"] {
  if (config.RATE_LIMITS === "off") return undefined;
  if (config.REDIS_URL === "") {
    throw new Error(
      "RATE_LIMITS is on but REDIS_URL is not set: the token buckets live in Redis (or set RATE_LIMITS=off)",
    );
  }
  return {
    redisUrl: config.REDIS_URL,
    ...configuredRateLimits(config),
    exempt: config.RATE_LIMIT_EXEMPT,
    timeoutMs: config.RATE_LIMIT_TIMEOUT_MS,
  };
}

// IDENTITY_ADDR: the address the BFF forwards IdentityService to is also where it polls the list.
const revocation = await revocationOf(upstreamAddressOf(IdentityService) ?? "");
const metrics = await startMetricsServer(config.METRICS_PORT);
const gateway = await startGateway({
  services: publicServices,
  addressOf: upstreamAddressOf,
  jwksUrl: config.AUTH_JWKS_URL,
  ...(revocation ? { revocation } : {}),
  log,
  port: config.PORT,
  maxRequestBytes: config.MAX_REQUEST_BYTES,
  requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
  corsOrigins: config.CORS_ORIGINS,
  rateLimits: rateLimitsOf(),
  isBehindProxy: config.TRUST_PROXY,
  ...(config.WEB_APP_DIR === ""
    ? {}
    : {
        webApp: {
          dir: config.WEB_APP_DIR,
          config: { paymentGatewayUrl: config.PAYMENT_GATEWAY_PUBLIC_URL, socialProviders: config.SOCIAL_PROVIDERS },
        },
      }),
});

stopGracefullyOnSignals(log, async () => {
  log.info({ drainMs }, "shutting down");
  await gateway.shutdown(drainMs);
  await new Promise<void>((resolve) => metrics.close(() => resolve()));
});
