import { createHash } from "node:crypto";
import { GatewayError, invalidRequest } from "./errors.js";
import type { Body } from "./params.js";

/** An answer as it was written the first time, replayed byte for byte. */
export interface StoredAnswer {
  status: number;
  body: string;
  requestId: string;
}

/** What a POST with an `Idempotency-Key` may do: run (then record or release), or replay the recorded answer. */
export type Claim =
  | { kind: "fresh"; record(answer: StoredAnswer): void; release(): void }
  | { kind: "replay"; answer: StoredAnswer };

interface Entry {
  endpoint: string;
  fingerprint: string;
  createdAtMs: number;
  /** Unset while the first request is in flight. */
  answer?: StoredAnswer;
}

/** JSON with object keys sorted, so two bodies with the same parameters compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * Stripe's idempotency keys: per scope (a secret key, or the browser side), a key names one request — its
 * endpoint and its parameters — and its first answer, kept for `ttlMs`. The same request again replays
 * that answer; a different request with the key is a 400 `idempotency_error`; a second request while the
 * first is still running is a 409. A request that changed nothing (a hang, a crash) releases its key.
 */
export class IdempotencyKeys {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly ttlMs: number) {}

  claim(scope: string, key: string, endpoint: string, body: Body): Claim {
    if (key.length === 0 || key.length > 255 || !/^[\x20-\x7e]+$/.test(key)) {
      throw invalidRequest(
        "idempotency_key_invalid",
        "Idempotency-Key must be 1 to 255 printable ASCII characters.",
        "Idempotency-Key",
      );
    }
    const id = `${scope}\u0000${key}`;
    const fingerprint = createHash("sha256").update(canonical(body)).digest("hex");
    const now = Date.now();
    const entry = this.entries.get(id);
    if (entry !== undefined && entry.createdAtMs + this.ttlMs > now) {
      if (entry.endpoint !== endpoint) {
        throw new GatewayError(
          400,
          "idempotency_error",
          "idempotency_key_reused",
          `Keys for idempotent requests can only be used for the same endpoint they were first used for ` +
            `(${entry.endpoint}), not ${endpoint}.`,
        );
      }
      if (entry.fingerprint !== fingerprint) {
        throw new GatewayError(
          400,
          "idempotency_error",
          "idempotency_key_reused",
          "Keys for idempotent requests can only be used with the same parameters they were first used with.",
        );
      }
      if (entry.answer === undefined) {
        throw new GatewayError(
          409,
          "idempotency_error",
          "idempotency_key_in_use",
          "There is currently another in-progress request using this Idempotency-Key; retry later.",
        );
      }
      return { kind: "replay", answer: entry.answer };
    }
    const fresh: Entry = { endpoint, fingerprint, createdAtMs: now };
    this.entries.set(id, fresh);
    return {
      kind: "fresh",
      record: (answer) => {
        fresh.answer = answer;
      },
      release: () => {
        if (this.entries.get(id) === fresh) this.entries.delete(id);
      },
    };
  }

  /** Forgets answered keys older than the TTL; in-flight ones stay until their request ends. */
  prune(nowMs: number): void {
    for (const [id, entry] of this.entries) {
      if (entry.answer !== undefined && entry.createdAtMs + this.ttlMs <= nowMs) this.entries.delete(id);
    }
  }
}
