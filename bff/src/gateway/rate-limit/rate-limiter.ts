import { once } from "node:events";
import type { DescMethod } from "@bufbuild/protobuf";
import {
  type HeaderReader,
  type Interceptor,
  type Logger,
  metricsRegistry,
  rateLimited,
  type ServerCall,
} from "@marquee/mesh";
import { Redis } from "ioredis";
import { Counter } from "prom-client";
import { addressBucketOf, clientAddressOf, normalized } from "./client-address.js";
import type { RateLimit } from "./rate-limit.js";
import { type Bucket, TokenBuckets } from "./token-buckets.js";

/** Whose bucket a limit fills: the client address's (before authentication) or the signed-in caller's. */
export type RateLimitScope = "ip" | "user";

/** A stricter limit on some RPCs, on top of the default of its scope; the RPCs share one bucket. */
export interface RateLimitRule {
  /** Names the bucket in Redis keys, logs and metrics: `holds`. */
  readonly name: string;
  readonly per: RateLimitScope;
  readonly limit: RateLimit;
  /** The RPCs it applies to, as `<package>.<Service>/<Method>`. */
  readonly rpcs: readonly string[];
}

/** The BFF's rate limits (`RATE_LIMITS=on`): where the buckets live and what they hold. */
export interface RateLimitOptions {
  /** `REDIS_URL`: the Redis holding the token buckets. */
  readonly redisUrl: string;
  /** Every call, per client address (an IPv6 client's /64). */
  readonly perIp: RateLimit;
  /** Every call of a signed-in caller, per subject (a user id, `client:<id>` for a partner). */
  readonly perUser: RateLimit;
  /** Stricter limits on named RPCs (`rateLimitRules` in `src/rate-limits.ts`). */
  readonly rules?: readonly RateLimitRule[];
  /** Subjects and client addresses no limit applies to (monitors, load tests). */
  readonly exempt?: readonly string[];
  /** The longest a check waits for Redis before the call passes unchecked. @default 100 */
  readonly timeoutMs?: number;
  /** Prefix of every bucket's key. @default "rl:" */
  readonly keyPrefix?: string;
}

const refusals = new Counter({
  name: "marquee_bff_rate_limited_total",
  help: "Calls the BFF refused RESOURCE_EXHAUSTED because a rate limit's bucket was empty, by limit.",
  labelNames: ["limit"] as const,
  registers: [metricsRegistry],
});

const failedOpen = new Counter({
  name: "marquee_bff_rate_limit_failed_open_total",
  help: "Rate-limit checks that could not reach Redis (down, slow, refusing), whose calls passed unchecked.",
  registers: [metricsRegistry],
});

/** How often a Redis outage is logged: once per this many milliseconds, with the count in between. */
const warnEveryMs = 10_000;

/**
 * Per-IP and per-user token-bucket limits over one Redis, as two pipeline steps (see `pipeline`). A call
 * over a limit is refused RESOURCE_EXHAUSTED with `google.rpc.RetryInfo` and a `retry-after` header in
 * whole seconds, which connect-es sends with its HTTP 429 on Connect and as a trailer on gRPC.
 *
 * When Redis cannot answer within `timeoutMs` — down, restarting, overloaded — the call passes unchecked:
 * a warning, at most every 10 s, and `marquee_bff_rate_limit_failed_open_total`. Failing closed would turn
 * a Redis outage into an outage of the public door for every caller, to shave the excess of a few, and
 * nothing else depends on these limits: inventory enforces per-user seat caps itself, identity throttles
 * sign-in per account and IP. For the same reason Redis is no part of the BFF's readiness.
 */
export class RateLimiter {
  private readonly redis: Redis;
  private readonly buckets: TokenBuckets;
  private readonly rulesByRpc = new Map<string, RateLimitRule[]>();
  private readonly exempt: ReadonlySet<string>;
  private readonly prefix: string;
  private lastWarningAt = Number.NEGATIVE_INFINITY;
  private unreported = 0;

  /** `isBehindProxy`: the gateway's `TRUST_PROXY`, where a client's address is read from. */
  constructor(
    private readonly options: RateLimitOptions,
    private readonly log: Logger,
    private readonly isBehindProxy = false,
  ) {
    // No offline queue: while Redis is away a check fails at once (and the call passes) instead of
    // waiting for a reconnect; a hung Redis is cut off by the command timeout.
    this.redis = new Redis(options.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: options.timeoutMs ?? 100,
    });
    this.redis.on("error", (error: Error) => this.warn(error));
    this.buckets = new TokenBuckets(this.redis);
    for (const rule of options.rules ?? []) {
      for (const rpc of rule.rpcs) this.rulesByRpc.set(rpc, [...(this.rulesByRpc.get(rpc) ?? []), rule]);
    }
    this.exempt = new Set((options.exempt ?? []).map((entry) => normalized(entry) ?? entry));
    this.prefix = options.keyPrefix ?? "rl:";
  }

  /**
   * Waits up to `timeoutMs` for the connection to Redis, so the first calls are limited too; the BFF
   * starts without it (failing open) and connects when Redis comes.
   */
  async connect(timeoutMs = 2000): Promise<void> {
    if (this.redis.status === "ready") return;
    try {
      await once(this.redis, "ready", { signal: AbortSignal.timeout(timeoutMs) });
    } catch {
      this.log.warn(
        { timeoutMs },
        "no Redis for the rate limits yet: calls pass unlimited until it connects (REDIS_URL)",
      );
    }
  }

  /** The step limiting every call per client address; runs before authentication. */
  perIp(): Interceptor {
    return (next) => async (call) => {
      await this.checkClient(call.method, call.attributes?.peer, call.header);
      return next(call);
    };
  }

  /**
   * The per-IP check of one call of `method` from `peer` (the TCP peer's address), for what the BFF
   * serves outside the RPC pipeline too (an HTTP endpoint standing for an RPC): resolves when the call
   * may pass, throws the RESOURCE_EXHAUSTED refusal otherwise.
   */
  async checkClient(method: DescMethod, peer: string | undefined, header: HeaderReader): Promise<void> {
    const address = clientAddressOf(peer, header, this.isBehindProxy);
    if (address === undefined || this.exempt.has(address)) return;
    await this.check(method, "ip", addressBucketOf(address), this.options.perIp);
  }

  /** The step limiting a signed-in caller's calls per subject; runs after authentication and access. */
  perUser(): Interceptor {
    return (next) => async (call: ServerCall) => {
      const subject = call.context.principal?.subject;
      if (subject !== undefined && !this.exempt.has(subject)) {
        await this.check(call.method, "user", subject, this.options.perUser);
      }
      return next(call);
    };
  }

  /** Closes the connection to Redis. */
  close(): void {
    this.redis.disconnect();
  }

  /** Takes a token from the scope's default bucket of `id` and from each rule's; throws the refusal. */
  private async check(method: DescMethod, scope: RateLimitScope, id: string, limit: RateLimit): Promise<void> {
    const tag = `${this.prefix}{${scope}:${id}}`;
    const rules = (this.rulesByRpc.get(`${method.parent.typeName}/${method.name}`) ?? []).filter(
      (rule) => rule.per === scope,
    );
    const buckets: Bucket[] = [
      { key: `${tag}:${scope}`, limit },
      ...rules.map((rule) => ({ key: `${tag}:${rule.name}`, limit: rule.limit })),
    ];
    let take: Awaited<ReturnType<TokenBuckets["take"]>>;
    try {
      take = await this.buckets.take(buckets);
    } catch (error) {
      this.failOpen(error);
      return;
    }
    if (take.isAllowed) return;
    const name = take.bucket.key.slice(tag.length + 1);
    refusals.inc({ limit: name });
    const refusal = rateLimited(take.retryAfterMs);
    // Whole seconds, rounded up (RFC 9110 §10.2.3): a client waiting as told finds a token.
    refusal.metadata.set("retry-after", String(Math.max(1, Math.ceil(take.retryAfterMs / 1000))));
    throw refusal;
  }

  private failOpen(error: unknown): void {
    failedOpen.inc();
    this.warn(error);
  }

  /** Logs a Redis failure, at most once per `warnEveryMs`: an outage is a warning, not a line per call. */
  private warn(error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarningAt < warnEveryMs) {
      this.unreported++;
      return;
    }
    this.log.warn(
      { err: error, unreportedFailures: this.unreported },
      "rate limits unavailable (Redis): calls pass unlimited",
    );
    this.lastWarningAt = now;
    this.unreported = 0;
  }
}
