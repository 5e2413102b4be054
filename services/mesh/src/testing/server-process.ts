import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isAlive, killOrphan } from "../local/processes.js";

/**
 * The repository root: the nearest folder above this file whose package.json declares workspaces. Test
 * servers keep their data under `<root>/.data/test`, since root's home folder is closed to the
 * `postgres` user that embedded PostgreSQL runs as.
 */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && "workspaces" in JSON.parse(readFileSync(manifest, "utf8"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("no workspace root above services/mesh");
    dir = parent;
  }
}

/** A TCP port nobody listens on right now, chosen by the kernel. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/**
 * A fresh scratch folder `<repo>/.data/test/<kind>/<this pid>` for one server this test process owns.
 * Folders left by test processes that died without cleaning up (SIGKILL, a crash) are removed first,
 * and the server each left running, named by `pidFile` inside it, is killed when it is still `command`:
 * a hard-killed mocha leaves its postgres or redis-server orphaned, holding memory and a port.
 */
export async function scratchDir(kind: string, pidFile: string, command: string): Promise<string> {
  const root = join(repoRoot(), ".data", "test", kind);
  await mkdir(root, { recursive: true });
  for (const name of readdirSync(root)) {
    const owner = Number(name);
    if (!Number.isInteger(owner) || owner === process.pid || isAlive(owner)) continue;
    await killOrphan(join(root, name, pidFile), command);
    await rm(join(root, name), { recursive: true, force: true });
  }
  const dir = join(root, String(process.pid));
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}
