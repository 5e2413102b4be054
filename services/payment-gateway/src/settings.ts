import type { SimulatorSettings } from "./api.js";
import { invalidRequest } from "./errors.js";
import { allowOnly, type Body } from "./params.js";

/**
 * The faults and endpoints a test may change while the gateway runs, programmatically (mutate the object
 * `startPaymentGateway` returns) or with `POST /v1/_simulator/settings`. A change applies to the next
 * request, and to events emitted after it.
 */
export interface FaultSettings {
  /** Added before every API request is handled (not health or settings). @default 0 */
  latencyMs: number;
  /** Up to this much more, uniformly at random. @default 0 */
  latencyJitterMs: number;
  /** Chance, 0 to 1, that an API request is answered 500 `api_error` before anything changes. @default 0 */
  errorRate: number;
  /** Where events are delivered. @default [] */
  webhookUrls: string[];
}

/** The delay of one request under these settings. */
export function latencyOf(settings: FaultSettings): number {
  return settings.latencyMs + Math.random() * settings.latencyJitterMs;
}

/** The settings as the admin endpoint shows them. */
export function settingsBody(settings: FaultSettings): SimulatorSettings {
  return {
    object: "simulator_settings",
    latency_ms: settings.latencyMs,
    latency_jitter_ms: settings.latencyJitterMs,
    error_rate: settings.errorRate,
    webhook_urls: [...settings.webhookUrls],
  };
}

function nonNegativeInteger(body: Body, name: string): number | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 600_000) {
    throw invalidRequest("parameter_invalid_integer", `${name} must be an integer from 0 to 600000.`, name);
  }
  return value;
}

/** Whether a webhook endpoint is an http(s) URL. */
export function isWebhookUrl(value: unknown): value is string {
  if (typeof value !== "string") return false;
  try {
    return ["http:", "https:"].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** Validates every field of an admin request first, then applies them all: a bad request changes nothing. */
export function applySettings(settings: FaultSettings, body: Body): void {
  allowOnly(body, ["latency_ms", "latency_jitter_ms", "error_rate", "webhook_urls"]);
  const latencyMs = nonNegativeInteger(body, "latency_ms");
  const latencyJitterMs = nonNegativeInteger(body, "latency_jitter_ms");
  const errorRate = body.error_rate;
  if (errorRate !== undefined && (typeof errorRate !== "number" || !(errorRate >= 0 && errorRate <= 1))) {
    throw invalidRequest("parameter_invalid", "error_rate must be a number from 0 to 1.", "error_rate");
  }
  const urls = body.webhook_urls;
  if (urls !== undefined && (!Array.isArray(urls) || !urls.every(isWebhookUrl))) {
    throw invalidRequest("parameter_invalid", "webhook_urls must be an array of http(s) URLs.", "webhook_urls");
  }
  if (latencyMs !== undefined) settings.latencyMs = latencyMs;
  if (latencyJitterMs !== undefined) settings.latencyJitterMs = latencyJitterMs;
  if (errorRate !== undefined) settings.errorRate = errorRate;
  if (urls !== undefined) settings.webhookUrls = [...(urls as string[])];
}
