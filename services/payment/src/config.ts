import { integer, port, type Setting, secret, string, url } from "@marquee/mesh";
import { devKeyId, devKeys, parseKeys } from "./crypto/field-cipher.js";

/** `PAYMENT_ENCRYPTION_KEYS`: a keyring, checked at start-up with every other variable. Never printed. */
function keyring(doc: string, defaultValue: string): Setting<ReadonlyMap<string, Buffer>> {
  return { doc, isSecret: true, defaultValue: parseKeys(defaultValue), parse: parseKeys };
}

/**
 * The payment service's own variables, beside the standard ones its manifest implies (`PORT`,
 * `DATABASE_URL`, …). The gateway's defaults are the simulator's, as `npm start` runs it.
 */
export const settings = {
  GATEWAY_URL: url("base URL of the payment gateway (PSP) API", "http://127.0.0.1:8090", ["http", "https"]),
  GATEWAY_SECRET_KEY: secret(
    "server-to-server key of the gateway (Authorization: Bearer); the default is the simulator's test key",
    "sk_test_marquee_simulator",
  ),
  GATEWAY_TIMEOUT_MS: integer("how long one attempt of a gateway call may take before it is abandoned", 3000, {
    min: 10,
    max: 120_000,
  }),
  GATEWAY_MAX_ATTEMPTS: integer(
    "attempts of a gateway call on a timeout, a 5xx or a network error, all with the same idempotency key",
    3,
    { min: 1, max: 20 },
  ),
  GATEWAY_RETRY_INITIAL_DELAY_MS: integer("pause before the first retry; doubles per retry, with jitter", 100, {
    min: 0,
    max: 60_000,
  }),
  GATEWAY_RETRY_MAX_DELAY_MS: integer("longest pause between two attempts", 2000, { min: 0, max: 60_000 }),
  GATEWAY_BREAKER_FAILURES: integer(
    "consecutive failed attempts (timeouts, 5xx, network errors) that open the circuit breaker",
    5,
    { min: 1, max: 1000 },
  ),
  GATEWAY_BREAKER_HALF_OPEN_MS: integer(
    "how long an open breaker fails calls fast before it lets one through",
    10_000,
    {
      min: 10,
      max: 600_000,
    },
  ),
  WEBHOOK_SECRET: secret("secret the gateway signs its webhooks with (Gateway-Signature)", "whsec_marquee_simulator"),
  WEBHOOK_PORT: port("HTTP port of the gateway's webhook endpoint, POST /webhooks/gateway", 8091),
  WEBHOOK_TOLERANCE_S: integer("how far a webhook's signed timestamp may be from now, in seconds", 300, {
    min: 1,
    max: 3600,
  }),
  PAYMENT_ENCRYPTION_KEYS: keyring(
    "AES-256-GCM keys of the sensitive columns, `kid:base64key,…`: every one opens, PAYMENT_ENCRYPTION_KEY_ID seals. The default is a development key anyone can derive: set real keys anywhere but locally",
    devKeys,
  ),
  PAYMENT_ENCRYPTION_KEY_ID: string("kid of PAYMENT_ENCRYPTION_KEYS that seals new values", devKeyId),
};
