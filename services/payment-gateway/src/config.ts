import { integer, oneOf, port, type Setting, secret, string, type Values } from "@marquee/mesh";
import { defaultSecretKey, defaultWebhookSecret, type PaymentGatewayOptions } from "./server.js";
import { isWebhookUrl } from "./settings.js";

/** A comma-separated list whose every item passes `check`; empty items are dropped. @default [] */
function list(doc: string, check: (item: string) => string | undefined): Setting<readonly string[]> {
  return {
    doc,
    defaultValue: [],
    isSecret: false,
    parse(raw) {
      const items = raw
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== "");
      for (const item of items) {
        const problem = check(item);
        if (problem !== undefined) throw new Error(problem);
      }
      return items;
    },
  };
}

/** A number from 0 to 1. */
function ratio(doc: string, defaultValue: number): Setting<number> {
  return {
    doc,
    defaultValue,
    isSecret: false,
    parse(raw) {
      const value = Number(raw.trim());
      if (raw.trim() === "" || !(value >= 0 && value <= 1))
        throw new Error(`must be a number from 0 to 1, got "${raw}"`);
      return value;
    },
  };
}

function isOrigin(item: string): boolean {
  if (item === "*") return true;
  try {
    return new URL(item).origin === item;
  } catch {
    return false;
  }
}

/**
 * The process's variables, read once by `src/main.ts`; the library takes the same as options. Problems
 * never quote a secret's value.
 */
export const gatewaySettings = {
  PORT: port("HTTP port", 8090),
  HOST: string("address to listen on", "0.0.0.0"),
  GATEWAY_SECRET_KEY: {
    ...list("secret key(s) servers send as Authorization: Bearer …, comma-separated (two while rotating)", (item) =>
      /^sk_test_\w+$/.test(item) ? undefined : "must list keys of the form sk_test_<letters, digits, _>",
    ),
    defaultValue: [defaultSecretKey],
    isSecret: true,
  },
  WEBHOOK_SECRET: secret("HMAC-SHA256 key signing webhooks (Gateway-Signature)", defaultWebhookSecret),
  WEBHOOK_URLS: list("comma-separated http(s) URLs that receive every event; empty: none", (item) =>
    isWebhookUrl(item) ? undefined : `"${item}" is not an http(s) URL`,
  ),
  ALLOWED_ORIGINS: list("comma-separated origins whose pages may tokenize (`*`: any); empty: none", (item) =>
    isOrigin(item) ? undefined : `"${item}" is not an origin like https://app.example.com`,
  ),
  LATENCY_MS: integer("added to every API request", 0, { min: 0, max: 600_000 }),
  LATENCY_JITTER_MS: integer("up to this much more, at random", 0, { min: 0, max: 600_000 }),
  ERROR_RATE: ratio("chance an API request answers 500 api_error, changing nothing", 0),
  IDEMPOTENCY_TTL_MS: integer("how long an idempotency key's answer is kept", 86_400_000, { min: 1 }),
  TOKEN_TTL_MS: integer("how long an unused token stays usable", 600_000, { min: 1 }),
  AUTHORIZATION_TTL_MS: integer("how long an uncaptured authorization holds", 604_800_000, { min: 1 }),
  REFUND_SETTLE_MS: integer("how long a refund stays pending; 0: settled at once", 0, { min: 0 }),
  HANG_MS: integer("longest the hanging test card holds a request open", 300_000, { min: 1 }),
  WEBHOOK_RETRY_BASE_MS: integer("delay before a webhook's second attempt; doubled each time", 1000, { min: 1 }),
  WEBHOOK_MAX_ATTEMPTS: integer("webhook attempts per event and endpoint", 6, { min: 1, max: 20 }),
  WEBHOOK_TIMEOUT_MS: integer("how long one webhook attempt waits for an answer", 10_000, { min: 1 }),
  LOG_LEVEL: oneOf("pino log level", ["trace", "debug", "info", "warn", "error", "fatal", "silent"], "info"),
};

/** The options `startPaymentGateway` takes for these variables (all but the logger). */
export function optionsOf(config: Values<typeof gatewaySettings>): PaymentGatewayOptions {
  return {
    port: config.PORT,
    host: config.HOST,
    secretKeys: config.GATEWAY_SECRET_KEY,
    webhookSecret: config.WEBHOOK_SECRET,
    webhookUrls: [...config.WEBHOOK_URLS],
    allowedOrigins: config.ALLOWED_ORIGINS,
    latencyMs: config.LATENCY_MS,
    latencyJitterMs: config.LATENCY_JITTER_MS,
    errorRate: config.ERROR_RATE,
    idempotencyTtlMs: config.IDEMPOTENCY_TTL_MS,
    tokenTtlMs: config.TOKEN_TTL_MS,
    authorizationTtlMs: config.AUTHORIZATION_TTL_MS,
    refundSettleMs: config.REFUND_SETTLE_MS,
    hangMs: config.HANG_MS,
    webhookRetryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
    webhookMaxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    webhookTimeoutMs: config.WEBHOOK_TIMEOUT_MS,
  };
}
