import type { DescService } from "@bufbuild/protobuf";
import { address, boolean, integer, loadConfigOrExit, oneOf, port, string, url } from "@marquee/mesh";
import { addressVariableOf, contractServices, isInternalService } from "./gateway/index.js";
import { rateLimitSettings } from "./rate-limits.js";

/** Every public service of the contract: what the BFF serves once its upstream's address is set. */
export const publicServices = (await contractServices()).filter((service) => !isInternalService(service));

/** `<NAME>_ADDR` per domain with public services, e.g. CATALOG_ADDR; unset = that domain is not served. */
const upstreamSettings = Object.fromEntries(
  Object.entries(Object.groupBy(publicServices, addressVariableOf)).map(([variable, services]) => [
    variable,
    address(
      `host:port of the upstream serving ${(services ?? []).map((s) => s.name).join(", ")}; unset: not served`,
      "",
    ),
  ]),
);

/** Origins as a comma-separated list, each exactly `scheme://host[:port]`. */
function origins(doc: string) {
  return {
    doc,
    defaultValue: [] as readonly string[],
    isSecret: false,
    parse(raw: string): readonly string[] {
      const list = raw
        .split(",")
        .map((origin) => origin.trim())
        .filter((origin) => origin !== "");
      for (const origin of list) {
        let parsed: URL | undefined;
        try {
          parsed = new URL(origin);
        } catch {}
        if (parsed?.origin !== origin) throw new Error(`"${origin}" is not an origin like https://app.example.com`);
      }
      return list;
    },
  };
}

/** A comma-separated list of words; empty by default. */
function list(doc: string) {
  return {
    doc,
    defaultValue: [] as readonly string[],
    isSecret: false,
    parse: (raw: string): readonly string[] =>
      raw
        .split(",")
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ""),
  };
}

export const config = loadConfigOrExit("bff", {
  PORT: port("the one port for browsers (HTTP/1.1) and gRPC clients (h2c)", 8080),
  METRICS_PORT: port("Prometheus /metrics", 9480),
  AUTH_JWKS_URL: string("identity's JWKS: an https URL, or a file path in development"),
  AUTH_SIGNING_KEY_FILE: string(
    "ES256 private JWK the BFF signs its service token (sub svc:bff) with, for the revoked-subjects poll; needed with IDENTITY_ADDR",
    "",
  ),
  REVOCATION_POLL_INTERVAL_MS: integer(
    "pause between two polls of identity's revoked-subjects list (at IDENTITY_ADDR): how soon a disabled user's tokens are refused",
    2000,
    { min: 100, max: 60_000 },
  ),
  MAX_REQUEST_BYTES: integer("largest request message accepted, in bytes", 1024 * 1024, { min: 1024 }),
  REQUEST_TIMEOUT_MS: integer("longest a unary call may take; a caller's shorter deadline wins", 10_000, {
    min: 100,
  }),
  CORS_ORIGINS: origins("comma-separated origins whose pages may call the BFF; empty: same origin only"),
  RATE_LIMITS: oneOf("token-bucket rate limits per client IP and per user (src/rate-limits.ts)", ["on", "off"], "on"),
  REDIS_URL: url("Redis holding the rate limits' token buckets; needed unless RATE_LIMITS=off", "", [
    "redis",
    "rediss",
  ]),
  TRUST_PROXY: boolean(
    "the BFF is behind a proxy that appends the client's address to x-forwarded-for: per-IP limits count its last entry, not the TCP peer",
    false,
  ),
  RATE_LIMIT_EXEMPT: list(
    "comma-separated user ids, client:<id> subjects and client IPs that no rate limit applies to",
  ),
  RATE_LIMIT_TIMEOUT_MS: integer(
    "longest a rate-limit check waits for Redis; past it, or with Redis down, the call passes unlimited (logged, counted)",
    100,
    { min: 1, max: 10_000 },
  ),
  WEB_APP_DIR: string("the built web app (web/dist/app) to serve on every page path; empty: no web app", ""),
  PAYMENT_GATEWAY_PUBLIC_URL: url(
    "the payment gateway's URL as browsers reach it, where the web app tokenizes cards (so card numbers never pass the BFF)",
    "",
    ["http", "https"],
  ),
  SOCIAL_PROVIDERS: list("social sign-in providers identity is configured for, offered by the web app, e.g. google"),
  ...rateLimitSettings,
  ...upstreamSettings,
});

/** The configured address of the upstream serving `service` (its `<NAME>_ADDR`); "" when unset. */
export function upstreamAddressOf(service: DescService): string | undefined {
  return (config as Readonly<Record<string, unknown>>)[addressVariableOf(service)] as string | undefined;
}
