/**
 * `@marquee/mesh/testing`: what every service's tests start the same way — one embedded PostgreSQL, one
 * Redis and one 3-master Redis Cluster per test run, each started on first use (a fresh schema per
 * suite), servers on free ports, and tokens signed by a test key pair the servers trust.
 */

export { badFields, codeOf, failureOf, preconditions, quotaSubjects } from "./errors.js";
export { publishTestEvent } from "./events.js";
export { type TestDatabase, testDatabase } from "./postgres.js";
export { restartRedis, shutdownRedis, stopRedis, testRedis } from "./redis.js";
export { shutdownRedisCluster, type TestClusterNode, testRedisCluster } from "./redis-cluster.js";
export { startTestServer, type TestServer, testClient } from "./server.js";
export { freePort, repoRoot } from "./server-process.js";
export { startService, type TestService, type TestServiceOptions, useService, useStarted } from "./service.js";
export { type FromNow, wholeMinutesFromNow, wholeMinutesFromNowMs } from "./time.js";
export {
  adminToken,
  customerToken,
  type ForgedTokenAttack,
  forgedTokens,
  mintTestToken,
  organizerToken,
  partnerToken,
  serviceToken,
  type TestKeys,
  testId,
  testKeys,
  testUserIds,
} from "./tokens.js";
export { useTracing } from "./tracing.js";
export { unimplemented } from "./unimplemented.js";
export { type WaitOptions, waitFor } from "./wait-for.js";
