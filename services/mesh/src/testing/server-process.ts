import { existsSync, readdirSync, readFileSync } from "node:fs";
import { chmod, mkdir, rm, stat } from "node:fs/promises";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

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

/**
 * As root, embedded PostgreSQL runs as a `postgres` user, which must reach its binaries and data under
 * the repository. A checkout inside a 0700 folder (a `mktemp -d`, root's home) shuts it out, so each
 * ancestor of `path` that lacks it gets the search (x) bit for others — only that: nothing becomes
 * listable or readable. Does nothing when not root.
 */
export async function letPostgresUserReach(path: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  for (let dir = path; ; dir = dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) {
      await chmod(dir, mode | 0o001);
      process.stderr.write(`marquee: gave others search permission on ${dir} so PostgreSQL's user can reach ${path}\n`);
    }
    if (dirname(dir) === dir) return;
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function killOrphan(pidFile: string, command: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  // A recycled pid may now belong to an unrelated process: only kill what still runs the server's binary.
  const comm = `/proc/${pid}/comm`;
  if (!existsSync(comm) || !readFileSync(comm, "utf8").startsWith(command)) return;
  process.kill(pid, "SIGKILL");
  for (let waited = 0; isAlive(pid) && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
}
