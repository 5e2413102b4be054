import { existsSync, readFileSync } from "node:fs";
import { chmod, stat } from "node:fs/promises";
import { dirname } from "node:path";

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

/** Whether a process with this pid exists (owned by anyone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Kills the server whose pid `pidFile` names, if it still runs `command`: a hard-killed owner (mocha, the
 * launcher) leaves its postgres or redis-server orphaned, holding memory and a port.
 */
export async function killOrphan(pidFile: string, command: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  // A recycled pid may now belong to an unrelated process: only kill what still runs the server's binary.
  const comm = `/proc/${pid}/comm`;
  if (!existsSync(comm) || !readFileSync(comm, "utf8").startsWith(command)) return;
  process.kill(pid, "SIGKILL");
  for (let waited = 0; isAlive(pid) && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
}
