import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU time per process from Linux's /proc, to say where a window's CPU went: the load generator, each
 * service, Redis, PostgreSQL, and everything else on the machine (other people's tests on a shared box).
 */

/** A group of processes followed under one name; `pids` is asked again at every sample (pools come and go). */
export interface ProcessGroup {
  readonly name: string;
  readonly pids: () => readonly number[];
  /**
   * Follow the main thread of its (one) process apart from its other threads (V8's GC and compiler
   * helpers, libuv's pool), and how long the main thread waited for a CPU while runnable.
   */
  readonly isThreaded?: boolean;
}

/** A process's main thread apart from its other threads, in seconds. */
export interface ThreadSeconds {
  readonly mainSec: number;
  readonly helpersSec: number;
  /** The other threads by name (`V8 DefaultWorke` for GC and JIT, `libuv-worker` for the pool). */
  readonly helpersByName: ReadonlyMap<string, number>;
  /** Time the main thread was runnable but not running (the scheduler's run-queue delay). */
  readonly mainWaitSec: number;
}

/** CPU seconds per group, and the machine's busy and total CPU seconds, at one instant. */
export interface CpuSnapshot {
  readonly byGroup: ReadonlyMap<string, ReadonlyMap<number, number>>;
  readonly threads: ReadonlyMap<string, ThreadSeconds>;
  /** Every user-space process of the machine outside the groups, by pid. */
  readonly others: ReadonlyMap<number, number>;
  readonly machineBusySec: number;
  readonly machineTotalSec: number;
  readonly atMs: number;
}

/** The same as {@link ThreadSeconds}, per second of wall time: cores. */
export interface ThreadCores {
  readonly main: number;
  readonly helpers: number;
  readonly helpersByName: Readonly<Record<string, number>>;
  readonly mainWaiting: number;
}

/** Cores used per group between two snapshots (1.0 = one core busy all the time); `others` is the rest. */
export interface CpuUse {
  readonly cores: Readonly<Record<string, number>>;
  /** Threaded groups: their main thread, other threads, and the main thread's wait for a CPU. */
  readonly threads: Readonly<Record<string, ThreadCores>>;
  /** Busy cores of the whole machine. */
  readonly machineCores: number;
  /** Cores of user-space processes outside the groups: someone else's work on a shared machine. */
  readonly otherCores: number;
  /**
   * The rest of the machine's busy time: the kernel outside any process's own account (interrupts and
   * softirqs, e.g. loopback networking; kernel threads, e.g. the journal flushing PostgreSQL's WAL) and
   * time the hypervisor stole.
   */
  readonly kernelCores: number;
}

const ticksPerSecond = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** The pids whose command line contains every one of `parts` and whose environment contains `envEntry`. */
export function findPids(parts: readonly string[], envEntry?: string): number[] {
  const found: number[] = [];
  for (const pid of allPids()) {
    const cmdline = readProc(pid, "cmdline")?.replaceAll("\0", " ");
    if (cmdline === undefined || !parts.every((part) => cmdline.includes(part))) continue;
    if (envEntry !== undefined && !(readProc(pid, "environ")?.split("\0").includes(envEntry) ?? false)) continue;
    found.push(pid);
  }
  return found;
}

/** `pid` and every process below it (a PostgreSQL postmaster and its backends). */
export function withDescendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const candidate of allPids()) {
    const parent = statFields(candidate)?.[1];
    if (parent === undefined) continue;
    const list = children.get(Number(parent)) ?? [];
    list.push(candidate);
    children.set(Number(parent), list);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    out.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return out;
}

/** CPU seconds (user + system) a process has used so far; undefined once it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  const fields = statFields(pid);
  if (fields === undefined) return undefined;
  // After the command: state(0) ppid(1) … utime(11) stime(12), per proc(5).
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** The main thread and the other threads of `pid`; undefined once it is gone. */
export function threadSecondsOf(pid: number): ThreadSeconds | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  let mainSec = 0;
  let helpersSec = 0;
  const helpersByName = new Map<string, number>();
  for (const tid of tids) {
    const fields = statFields(pid, `task/${tid}/stat`);
    if (fields === undefined) continue;
    const seconds = (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
    if (tid === String(pid)) {
      mainSec = seconds;
      continue;
    }
    helpersSec += seconds;
    const name = readProc(pid, `task/${tid}/comm`)?.trim() ?? "?";
    helpersByName.set(name, (helpersByName.get(name) ?? 0) + seconds);
  }
  // schedstat: time on a CPU, time waiting on a run queue, timeslices (ns, ns, count).
  const waitNs = Number(readProc(pid, `task/${pid}/schedstat`)?.split(" ")[1] ?? 0);
  return { mainSec, helpersSec, helpersByName, mainWaitSec: waitNs / 1e9 };
}

/** Samples every group and the machine. */
export function snapshotCpu(groups: readonly ProcessGroup[]): CpuSnapshot {
  const byGroup = new Map<string, Map<number, number>>();
  const threads = new Map<string, ThreadSeconds>();
  for (const group of groups) {
    const perPid = new Map<number, number>();
    for (const pid of group.pids()) {
      const seconds = cpuSecondsOf(pid);
      if (seconds !== undefined) perPid.set(pid, seconds);
    }
    byGroup.set(group.name, perPid);
    const [pid] = group.pids();
    const split = group.isThreaded && pid !== undefined ? threadSecondsOf(pid) : undefined;
    if (split !== undefined) threads.set(group.name, split);
  }
  const inGroups = new Set([...byGroup.values()].flatMap((perPid) => [...perPid.keys()]));
  const others = new Map<number, number>();
  for (const pid of allPids()) {
    if (inGroups.has(pid) || isKernelThread(pid)) continue;
    const seconds = cpuSecondsOf(pid);
    if (seconds !== undefined) others.set(pid, seconds);
  }
  const [busy, total] = machineSeconds();
  return { byGroup, threads, others, machineBusySec: busy, machineTotalSec: total, atMs: performance.now() };
}

/** Kernel threads are kthreadd (pid 2) and its children. */
function isKernelThread(pid: number): boolean {
  return pid === 2 || statFields(pid)?.[1] === "2";
}

/** Cores used between two snapshots. A process that started in between counts from zero. */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): CpuUse {
  const wallSec = (after.atMs - before.atMs) / 1000;
  const cores: Record<string, number> = {};
  let inGroups = 0;
  for (const [name, perPid] of after.byGroup) {
    let seconds = 0;
    for (const [pid, used] of perPid) seconds += used - (before.byGroup.get(name)?.get(pid) ?? 0);
    cores[name] = wallSec > 0 ? seconds / wallSec : 0;
    inGroups += cores[name];
  }
  const threads: Record<string, ThreadCores> = {};
  for (const [name, end] of after.threads) {
    const start = before.threads.get(name);
    if (start === undefined || wallSec <= 0) continue;
    const helpersByName: Record<string, number> = {};
    for (const [thread, seconds] of end.helpersByName) {
      const used = (seconds - (start.helpersByName.get(thread) ?? 0)) / wallSec;
      if (used > 0) helpersByName[thread] = used;
    }
    threads[name] = {
      main: (end.mainSec - start.mainSec) / wallSec,
      helpers: (end.helpersSec - start.helpersSec) / wallSec,
      helpersByName,
      mainWaiting: (end.mainWaitSec - start.mainWaitSec) / wallSec,
    };
  }
  let otherSeconds = 0;
  for (const [pid, used] of after.others) otherSeconds += used - (before.others.get(pid) ?? 0);
  const otherCores = wallSec > 0 ? otherSeconds / wallSec : 0;
  const machineCores = wallSec > 0 ? (after.machineBusySec - before.machineBusySec) / wallSec : 0;
  return {
    cores,
    threads,
    machineCores,
    otherCores,
    kernelCores: Math.max(0, machineCores - inGroups - otherCores),
  };
}

/** Busy and total CPU seconds of the whole machine, from the first line of /proc/stat. */
function machineSeconds(): [number, number] {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const total = values.slice(0, 8).reduce((sum, v) => sum + v, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return [(total - idle) / ticksPerSecond, total / ticksPerSecond];
}

function allPids(): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return undefined; // gone, or not ours to read
  }
}

/** The fields of /proc/<pid>/stat (or a thread's) after the command name, which may hold spaces and parentheses. */
function statFields(pid: number, file = "stat"): string[] | undefined {
  const stat = readProc(pid, file);
  if (stat === undefined) return undefined;
  return stat
    .slice(stat.lastIndexOf(")") + 2)
    .trim()
    .split(" ");
}
