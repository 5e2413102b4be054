import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { openSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { createClient } from "@marquee/mesh";
import { waitFor } from "@marquee/mesh/testing";
import { Health, HealthCheckResponse_ServingStatus } from "@marquee/proto/health/v1/health_pb.js";
import { repoRoot, type Stack } from "@marquee/scripts/stack";

/**
 * A crash of one service of the launcher's stack, and its restart: the process serving the service's
 * port is found through /proc (the launcher keeps its processes to itself), killed with SIGKILL — no
 * drain, no shutdown hook, as an OOM kill — and started again with the environment it had, logging to
 * the same file. Linux only, as the suites' machines are.
 */
export interface RestartedService {
  readonly name: string;
  readonly process: ChildProcess;
  /** SIGTERM and wait: the stack's `stop` knows nothing of this process. */
  stop(): Promise<void>;
}

export async function killAndRestart(stack: Stack, name: string): Promise<RestartedService> {
  const service = stack.services.find((candidate) => candidate.name === name);
  if (service === undefined) throw new Error(`the stack runs no ${name}`);
  const port = Number(service.address.split(":").at(-1));
  const pid = listenerOf(port);
  const environment = Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, "utf8")
      .split("\0")
      .filter((entry) => entry.includes("="))
      .map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]),
  );
  process.kill(pid, "SIGKILL");
  await waitFor(`${name} (pid ${pid}) to die`, () => !isAlive(pid), { timeoutMs: 10_000, intervalMs: 20 });

  const log = openSync(service.logFile, "a");
  const child = spawn(process.execPath, ["--import", "tsx", join("services", name, "src", "server.ts")], {
    cwd: repoRoot,
    env: environment,
    stdio: ["ignore", log, log],
  });
  // No token: health is answered to anyone, and the stack's processes trust its keys, not the tests'.
  const health = createClient(Health, {
    address: service.address,
    timeoutMs: 1000,
    retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
  });
  try {
    await waitFor(
      `${name} to serve again`,
      async () => {
        if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}; see ${service.logFile}`);
        const status = await health.check({ service: "" }).then(
          (answer) => answer.status,
          () => undefined,
        );
        return status === HealthCheckResponse_ServingStatus.SERVING;
      },
      { timeoutMs: 90_000, intervalMs: 200 },
    );
  } finally {
    health.close();
  }
  return {
    name,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The pid of the process listening on TCP `port` (IPv4 or IPv6), from /proc/net and each process's fds. */
function listenerOf(port: number): number {
  const listening = "0A";
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const columns = line.trim().split(/\s+/);
      const local = columns[1];
      if (local === undefined || columns[3] !== listening) continue;
      if (Number.parseInt(local.split(":").at(-1) ?? "", 16) === port && columns[9]) inodes.add(columns[9]);
    }
  }
  const sockets = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue; // another user's process, or one that just ended
    }
    for (const fd of fds) {
      try {
        if (sockets.has(readlinkSync(`/proc/${entry}/fd/${fd}`))) return Number(entry);
      } catch {
        // the fd closed meanwhile
      }
    }
  }
  throw new Error(`no process of this user listens on port ${port}`);
}

/** Whether `pid` still runs: a zombie waiting for its parent to reap it does not. */
function isAlive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
  } catch {
    return false;
  }
}
