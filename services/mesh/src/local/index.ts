/**
 * `@marquee/mesh/local`: the servers a developer's machine runs without installing anything by hand —
 * PostgreSQL from npm, redis-server from the OS, an SMTP sink — shared by the dev launcher and the test kit.
 */

export { type MailSink, type MailSinkOptions, type ReceivedMail, startMailSink } from "./mail-sink.js";
export { type LocalPostgres, type LocalPostgresOptions, removeData, startLocalPostgres } from "./postgres.js";
export { isAlive, killOrphan, letPostgresUserReach } from "./processes.js";
export { joinRedisCluster } from "./redis-cluster.js";
export {
  ensureRedisServer,
  hasRedisServer,
  installLine,
  launchRedisServer,
  type RedisServerOptions,
} from "./redis-server.js";
