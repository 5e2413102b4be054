import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Redis } from "ioredis";

/** How long {@link joinRedisCluster} waits for every node to report `cluster_state:ok`. */
const CLUSTER_OK_TIMEOUT_MS = 20_000;

/**
 * Joins empty Redis Cluster nodes on 127.0.0.1 (each a `redis-server --cluster-enabled yes`, e.g. from
 * `launchRedisServer` with `clusterConfigFile`) into one cluster of masters without replicas, the slots
 * split evenly by `redis-cli --cluster create`, and resolves once every node reports `cluster_state:ok`:
 * redis-cli returns when the nodes agree on the configuration, but a node may still answer CLUSTERDOWN
 * until it has heard from the others over the cluster bus.
 */
export async function joinRedisCluster(ports: readonly number[]): Promise<void> {
  const nodes = ports.map((port) => `127.0.0.1:${port}`);
  try {
    await promisify(execFile)("redis-cli", [
      "--cluster",
      "create",
      ...nodes,
      "--cluster-replicas",
      "0",
      "--cluster-yes",
    ]);
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`redis-cli --cluster create ${nodes.join(" ")} failed:\n${stdout ?? ""}${stderr ?? ""}`, {
      cause: error,
    });
  }
  await Promise.all(ports.map((port) => untilClusterOk(port)));
}

async function untilClusterOk(port: number): Promise<void> {
  const redis = new Redis({ host: "127.0.0.1", port, maxRetriesPerRequest: 1 });
  try {
    const deadline = Date.now() + CLUSTER_OK_TIMEOUT_MS;
    for (;;) {
      const info = String(await redis.cluster("INFO"));
      if (/^cluster_state:ok\r?$/m.test(info)) return;
      if (Date.now() >= deadline) {
        throw new Error(`redis cluster node 127.0.0.1:${port} is not ok after ${CLUSTER_OK_TIMEOUT_MS} ms:\n${info}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    redis.disconnect();
  }
}
