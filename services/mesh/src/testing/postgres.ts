import { randomBytes } from "node:crypto";
import { type LocalPostgres, removeData, startLocalPostgres } from "../local/postgres.js";
import { freePort, scratchDir } from "./server-process.js";

/** Where a test connects to PostgreSQL: the server's URL and a schema no other test uses. */
export interface TestDatabase {
  /** A `postgresql://` URL of the test server's database. */
  readonly url: string;
  /** A fresh, uniquely named schema; `openDatabase` creates it on first use. */
  readonly schema: string;
}

interface Server {
  readonly url: string;
  readonly local?: { readonly postgres: LocalPostgres; readonly dir: string };
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
  const local = (await started?.catch(() => undefined))?.local;
  if (!local) return;
  await local.postgres.stop();
  await removeData(local.dir);
}

async function startEmbedded(): Promise<Server> {
  for (let attempt = 1; ; attempt++) {
    const dir = await scratchDir("postgres", "postmaster.pid", "postgres");
    try {
      const postgres = await startLocalPostgres({ dir, port: await freePort(), profile: "test" });
      return { url: postgres.url, local: { postgres, dir } };
    } catch (error) {
      // Another process may take the free port between probing and binding; one retry covers that race.
      if (attempt >= 2) throw error;
    }
  }
}
