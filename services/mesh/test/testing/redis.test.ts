import { expect } from "chai";
import { Redis } from "ioredis";
import { restartRedis, stopRedis, testRedis } from "../../src/testing/redis.js";
import { waitFor } from "../../src/testing/wait-for.js";

describe("testRedis", () => {
  it("serves one Redis per test process at one URL", async () => {
    const [first, second] = [await testRedis(), await testRedis()];
    expect(first).to.equal(second);
    const redis = new Redis(first);
    try {
      expect(await redis.ping()).to.equal("PONG");
    } finally {
      redis.disconnect();
    }
  });

  it("stops and restarts on the same URL, empty", async function () {
    if (process.env.REDIS_URL) this.skip();
    const url = await testRedis();
    const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 20 });
    redis.on("error", () => {});
    try {
      await redis.set("testing:redis:key", "kept?");
      await stopRedis();
      let error: unknown;
      await redis.ping().catch((e) => (error = e));
      expect(error).to.be.instanceOf(Error);
      await restartRedis();
      expect(await testRedis()).to.equal(url);
      await waitFor("the client to reconnect", async () => (await redis.ping().catch(() => undefined)) === "PONG");
      expect(await redis.get("testing:redis:key")).to.equal(null);
    } finally {
      redis.disconnect();
    }
  });
});
