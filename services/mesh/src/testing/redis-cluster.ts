import type { ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { joinRedisCluster } from "../local/redis-cluster.js";
import { launchRedisServer } from "../local/redis-server.js";
import { freePort, scratchDir } from "./server-process.js";

/** A node of the test cluster, as ioredis's `new Cluster(nodes)` takes it. */
export interface TestClusterNode {
  readonly host: string;
  readonly port: number;
}

/** The masters of the test cluster: three, as the smallest cluster redis-cli creates without replicas. */
const MASTERS = 3;
/** Redis Cluster nodes talk to each other on their port plus this (the cluster bus). */
const BUS_PORT_OFFSET = 10_000;

interface Node {
  readonly port: number;
  readonly dir: string;
  readonly child: ChildProcess;
}

let started: Promise<readonly Node[]> | undefined;

/**
 * The startup nodes of a Redis Cluster for tests: three masters without replicas, owning a third of the
 * slots each, started on first use once per test process as `redis-server --cluster-enabled yes` on free
 * ports whose cluster bus port (+10000) is free too, without persistence, and joined by `redis-cli
 * --cluster create`. Resolves once every node reports `cluster_state:ok`. Each node keeps its pid and
 * `nodes-<port>.conf` under `<repo>/.data/test/redis-cluster/<node>/<pid>`. Tests share it, so each should
 * use its own keys. The root mocha hooks stop it after the run.
 */
export async function testRedisCluster(): Promise<readonly TestClusterNode[]> {
  started ??= startCluster();
  const nodes = await started;
  return nodes.map(({ port }) => ({ host: "127.0.0.1", port }));
}

/** Stops the test cluster's servers and removes their folders; used by the root mocha hooks. */
export async function shutdownRedisCluster(): Promise<void> {
  const stopping = started;
  started = undefined;
  const nodes = await stopping?.catch(() => undefined);
  if (!nodes) return;
  await Promise.all(nodes.map((node) => kill(node.child)));
  await Promise.all(nodes.map((node) => rm(node.dir, { recursive: true, force: true })));
}

async function startCluster(): Promise<readonly Node[]> {
  const dirs: string[] = [];
  for (let i = 0; i < MASTERS; i++)
    dirs.push(await scratchDir(join("redis-cluster", String(i)), "redis.pid", "redis-server"));
  for (let attempt = 1; ; attempt++) {
    const ports = await clusterPorts(MASTERS);
    const launched = await Promise.allSettled(
      ports.map((port, i) =>
        launchRedisServer({
          port,
          dir: dirs[i] as string,
          isPersistent: false,
          clusterConfigFile: join(dirs[i] as string, `nodes-${port}.conf`),
        }),
      ),
    );
    const nodes = launched.flatMap((result, i) =>
      result.status === "fulfilled" ? [{ port: ports[i] as number, dir: dirs[i] as string, child: result.value }] : [],
    );
    try {
      const failure = launched.find((result) => result.status === "rejected");
      if (failure) throw failure.reason;
      await joinRedisCluster(ports);
      return nodes;
    } catch (error) {
      await Promise.all(nodes.map((node) => kill(node.child)));
      // Another process may take a free port between probing and binding; one retry covers that race.
      if (attempt >= 2) throw error;
    }
  }
}

/** `count` distinct free ports whose cluster bus ports are free as well, none another's bus port. */
async function clusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freePort();
    const bus = port + BUS_PORT_OFFSET;
    const clashes = ports.some((p) => p === port || p === bus || p + BUS_PORT_OFFSET === port);
    if (bus <= 65_535 && !clashes && (await isFree(bus))) ports.push(port);
  }
  return ports;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  // SIGKILL, as for the standalone test server: nothing to save.
  child.kill("SIGKILL");
  await exited;
}
