import type { ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import { launchRedisServer } from "../local/redis-server.js";
import { freePort, scratchDir } from "./server-process.js";

interface Server {
  readonly port: number;
  readonly dir: string;
  child?: ChildProcess;
}

let url: Promise<string> | undefined;
let server: Server | undefined;

/**
 * The URL of a Redis for tests: `REDIS_URL` when set, otherwise one `redis-server` per test process,
 * started on first use on a free port without persistence (`--save "" --appendonly no`). Tests share it,
 * so each should use its own key or stream names. The root mocha hooks stop it after the run.
 */
export async function testRedis(): Promise<string> {
  url ??= process.env.REDIS_URL ? Promise.resolve(process.env.REDIS_URL) : startServer();
  return await url;
}

/**
 * Stops the test redis-server, keeping its port, so a fault test can watch clients lose Redis; a later
 * `restartRedis()` brings an empty server back on the same URL. Only the embedded server can be stopped.
 */
export async function stopRedis(): Promise<void> {
  if (!server) {
    if (process.env.REDIS_URL && url) throw new Error("stopRedis() cannot stop the Redis at REDIS_URL");
    return;
  }
  await kill(server);
}

/** Starts the test redis-server again on the same port (stopping it first if it runs), with no data. */
export async function restartRedis(): Promise<void> {
  if (!server) throw new Error("restartRedis() needs the embedded redis-server; call testRedis() first");
  await kill(server);
  server.child = await launch(server.port, server.dir);
}

/** Stops the test redis-server for good and removes its folder; used by the root mocha hooks. */
export async function shutdownRedis(): Promise<void> {
  const stopping = server;
  server = undefined;
  url = undefined;
  if (!stopping) return;
  await kill(stopping);
  await rm(stopping.dir, { recursive: true, force: true });
}

async function startServer(): Promise<string> {
  const dir = await scratchDir("redis", "redis.pid", "redis-server");
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      server = { port, dir, child: await launch(port, dir) };
      return `redis://127.0.0.1:${port}`;
    } catch (error) {
      // Another process may take the free port between probing and binding; one retry covers that race.
      if (attempt >= 2) throw error;
    }
  }
}

function launch(port: number, dir: string): Promise<ChildProcess> {
  return launchRedisServer({ port, dir, isPersistent: false });
}

async function kill(target: Server): Promise<void> {
  const child = target.child;
  target.child = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  // SIGKILL rather than a graceful SHUTDOWN: there is nothing to save, and it is what a crash looks like.
  child.kill("SIGKILL");
  await exited;
}
