import { stopPostgres } from "./postgres.js";
import { shutdownRedis } from "./redis.js";
import { shutdownRedisCluster } from "./redis-cluster.js";

/**
 * Root hooks for mocha (`--require services/mesh/src/testing/hooks.ts`): after the whole run, stop the
 * embedded PostgreSQL, redis-server and Redis Cluster this test process started, so no server outlives
 * the run.
 */
export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(30_000);
    await Promise.all([stopPostgres(), shutdownRedis(), shutdownRedisCluster()]);
  },
};
