import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Redis } from "ioredis";
import type { RateLimit } from "./rate-limit.js";

const source = readFileSync(new URL("./lua/take-token.lua", import.meta.url), "utf8");
const sha = createHash("sha1").update(source).digest("hex");

/** One bucket a call takes a token from: its Redis key and its limit. */
export interface Bucket {
  readonly key: string;
  readonly limit: RateLimit;
}

/** What {@link TokenBuckets.take} answered. */
export type Take =
  | { readonly isAllowed: true /** Tokens left in the emptiest bucket. */; readonly remaining: number }
  | {
      readonly isAllowed: false;
      /** How long until every bucket has a token again: the RetryInfo's delay. */
      readonly retryAfterMs: number;
      /** The bucket that is slowest to refill: the limit the caller ran into. */
      readonly bucket: Bucket;
    };

/**
 * Token buckets in Redis, each check one atomic Lua script (`lua/take-token.lua`) run by EVALSHA: it
 * refills every bucket of the call by the time elapsed on Redis's clock, then takes one token from each
 * or, when one is empty, from none, and answers how long to wait. Keys expire when their bucket would be
 * full again. All keys of one check must share a Redis Cluster hash tag (the caller's `{…}`), so the
 * script sees them on one shard.
 */
export class TokenBuckets {
  constructor(private readonly redis: Redis) {}

  /** Takes a token from every bucket, or from none when one is empty. Throws when Redis fails. */
  async take(buckets: readonly Bucket[]): Promise<Take> {
    if (buckets.length === 0) return { isAllowed: true, remaining: Number.POSITIVE_INFINITY };
    const keys = buckets.map((bucket) => bucket.key);
    const args = buckets.flatMap((bucket) => [bucket.limit.burst, bucket.limit.msPerToken]);
    const [isAllowed, remaining, retryAfterMs, slowest] = (await this.run(keys, args)) as [
      number,
      number,
      number,
      number,
    ];
    if (isAllowed === 1) return { isAllowed: true, remaining };
    const bucket = buckets[slowest - 1];
    if (bucket === undefined) throw new Error(`the bucket script named bucket ${slowest} of ${buckets.length}`);
    return { isAllowed: false, retryAfterMs, bucket };
  }

  /** EVALSHA, and EVAL (which caches the script again) when the server lost it: a restart, SCRIPT FLUSH. */
  private async run(keys: readonly string[], args: readonly number[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return await this.redis.eval(source, keys.length, ...keys, ...args);
    }
  }
}
