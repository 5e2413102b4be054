import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface RedisServerOptions {
  readonly port: number;
  /** Working folder: pid file, and the snapshot when persistent. */
  readonly dir: string;
  /** Snapshot to `dir` now and then (the launcher), or keep nothing (tests). */
  readonly isPersistent: boolean;
  /**
   * Run as a Redis Cluster node (`--cluster-enabled yes`) that keeps its view of the cluster in this file;
   * omitted, a standalone server.
   */
  readonly clusterConfigFile?: string;
}

/** Starts `redis-server` on 127.0.0.1 and resolves once it accepts connections. */
export async function launchRedisServer(options: RedisServerOptions): Promise<ChildProcess> {
  const persistence = options.isPersistent
    ? ["--save", "60 1", "--appendonly", "no"]
    : ["--save", "", "--appendonly", "no"];
  const cluster = options.clusterConfigFile
    ? ["--cluster-enabled", "yes", "--cluster-config-file", options.clusterConfigFile]
    : [];
  const args = ["--port", String(options.port), "--bind", "127.0.0.1", ...persistence, ...cluster];
  const child = spawn("redis-server", [...args, "--dir", options.dir, "--pidfile", join(options.dir, "redis.pid")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  return await new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        child.stdout?.off("data", onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(child);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("error", (error) =>
      reject(
        (error as NodeJS.ErrnoException).code === "ENOENT"
          ? new Error(`redis-server is not installed: ${installLine()} (or set REDIS_URL)`)
          : error,
      ),
    );
    child.once("exit", (code) => reject(new Error(`redis-server exited with ${code}: ${output.slice(-2000)}`)));
  });
}

/** Whether `redis-server` is on the PATH. */
export function hasRedisServer(): boolean {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** The exact command that installs redis-server on this machine's OS. */
export function installLine(): string {
  return isDebianLike()
    ? "apt-get update && apt-get install -y redis-server"
    : "install redis-server with your OS's package manager";
}

/**
 * Installs redis-server through apt-get when it is missing on Debian or Ubuntu, saying so through `say`;
 * elsewhere (or without root) throws with the exact line to run.
 */
export function ensureRedisServer(say: (line: string) => void): void {
  if (hasRedisServer()) return;
  if (!isDebianLike() || process.getuid?.() !== 0) {
    throw new Error(`redis-server is missing. Install it with: ${installLine()} — or set REDIS_URL.`);
  }
  say("redis-server is missing: installing it with apt-get (once)…");
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
  execFileSync("apt-get", ["install", "-y", "-qq", "redis-server"], {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
}

function isDebianLike(): boolean {
  return (
    existsSync("/etc/os-release") && /^ID(_LIKE)?=.*(debian|ubuntu)/m.test(readFileSync("/etc/os-release", "utf8"))
  );
}
