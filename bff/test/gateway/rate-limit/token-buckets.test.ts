import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { testRedis } from "@marquee/mesh/testing";
import { expect } from "chai";
import { Redis } from "ioredis";
import { parseRateLimit } from "../../../src/gateway/rate-limit/rate-limit.js";
import { type Bucket, type Take, TokenBuckets } from "../../../src/gateway/rate-limit/token-buckets.js";

describe("TokenBuckets (the take-token script on a real redis-server)", () => {
  let redis: Redis;
  let buckets: TokenBuckets;
  /** A bucket of its own per test: keys share one hash tag, as the limiter's do. */
  const bucket = (limit: string, tag = randomUUID(), name = "b"): Bucket => ({
    key: `rl-test:{${tag}}:${name}`,
    limit: parseRateLimit(limit),
  });
  const allowed = (takes: readonly Take[]) => takes.filter((take) => take.isAllowed).length;

  before(async () => {
    redis = new Redis(await testRedis());
    buckets = new TokenBuckets(redis);
  });

  after(() => redis.disconnect());

  it("lets a full bucket's burst through at once, then refuses with the time one token takes to come back", async () => {
    const limited = bucket("10/s:5");
    const takes: Take[] = [];
    for (let i = 0; i < 7; i++) takes.push(await buckets.take([limited]));
    expect(allowed(takes)).to.equal(5);
    expect(takes.slice(0, 5).map((take) => (take.isAllowed ? take.remaining : -1))).to.deep.equal([4, 3, 2, 1, 0]);
    const refused = takes[6];
    if (refused === undefined || refused.isAllowed) throw new Error("the seventh call passed");
    // 100 ms a token, less what elapsed since the bucket emptied.
    expect(refused.retryAfterMs).to.be.within(1, 100);
    expect(refused.bucket).to.equal(limited);
  });

  it("refills by the time elapsed: a call after the retry delay passes", async () => {
    const limited = bucket("20/s:1");
    expect((await buckets.take([limited])).isAllowed).to.equal(true);
    const refused = await buckets.take([limited]);
    if (refused.isAllowed) throw new Error("the second call passed");
    await sleep(refused.retryAfterMs + 5);
    expect((await buckets.take([limited])).isAllowed).to.equal(true);
    expect((await buckets.take([limited])).isAllowed).to.equal(false);
  });

  it("takes from every bucket or from none: a refused call leaves the buckets that had tokens as they were", async () => {
    const tag = randomUUID();
    const roomy = bucket("1/m:10", tag, "roomy");
    const tight = bucket("1/m:2", tag, "tight");
    const takes: Take[] = [];
    for (let i = 0; i < 5; i++) takes.push(await buckets.take([roomy, tight]));
    expect(allowed(takes)).to.equal(2);
    const refused = takes[4];
    if (refused === undefined || refused.isAllowed) throw new Error("the fifth call passed");
    expect(refused.bucket.key).to.equal(tight.key);
    // Three refusals took nothing from the roomy bucket: 10 - 2 calls, so 7 left after one more.
    const alone = await buckets.take([roomy]);
    expect(alone.isAllowed && alone.remaining).to.equal(7);
  });

  it("answers the wait of the bucket slowest to refill when several are empty", async () => {
    const tag = randomUUID();
    const fast = bucket("100/s:1", tag, "fast");
    const slow = bucket("1/m:1", tag, "slow");
    expect((await buckets.take([fast, slow])).isAllowed).to.equal(true);
    const refused = await buckets.take([fast, slow]);
    if (refused.isAllowed) throw new Error("the second call passed");
    expect(refused.bucket.key).to.equal(slow.key);
    expect(refused.retryAfterMs).to.be.within(59_000, 60_000);
  });

  it("sets each key to expire when its bucket would be full again, so an idle bucket vanishes", async () => {
    const limited = bucket("10/s:3");
    await buckets.take([limited]);
    await buckets.take([limited]);
    // Two tokens short at 100 ms a token.
    expect(await redis.pttl(limited.key)).to.be.within(1, 200);
    await sleep(300);
    expect(await redis.exists(limited.key)).to.equal(0);
    const slow = bucket("1/h:2");
    await buckets.take([slow]);
    expect(await redis.pttl(slow.key)).to.be.within(3_599_000, 3_600_000);
  });

  it("refills by Redis's clock alone: a bucket stamped in the future (a skewed writer) earns nothing and stays put", async () => {
    const limited = bucket("10/s:5");
    const [seconds = 0] = await redis.time();
    await redis.hset(limited.key, "t", "0", "at", String(Number(seconds) * 1000 + 60_000));
    const refused = await buckets.take([limited]);
    if (refused.isAllowed) throw new Error("the call passed");
    expect(refused.retryAfterMs, "one token's time, not the minute the stamp is ahead").to.equal(100);
    expect(await redis.hget(limited.key, "t")).to.equal("0");
  });

  it("keeps fractions of a token between calls: at 3 a second, calls every 5 ms still get one through every 333 ms", async () => {
    const limited = bucket("3/s:1");
    const started = Date.now();
    const takes: Take[] = [];
    while (Date.now() - started < 1000) {
      takes.push(await buckets.take([limited]));
      await sleep(5);
    }
    // The burst of one, then one every 333 ms within the second.
    expect(allowed(takes)).to.be.within(3, 4);
  });

  it("loads the script again when Redis lost it (a restart, SCRIPT FLUSH)", async () => {
    const limited = bucket("10/s:2");
    await buckets.take([limited]);
    await redis.script("FLUSH");
    const take = await buckets.take([limited]);
    expect(take.isAllowed && take.remaining).to.equal(0);
  });

  it("fails when Redis does, for the limiter to decide what that means", async () => {
    const gone = new Redis("redis://127.0.0.1:1", { enableOfflineQueue: false, lazyConnect: true });
    try {
      const failure = await new TokenBuckets(gone).take([bucket("1/s")]).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).to.be.instanceOf(Error);
    } finally {
      gone.disconnect();
    }
  });
});
