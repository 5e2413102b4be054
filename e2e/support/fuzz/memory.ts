import { readdirSync, readFileSync } from "node:fs";
import type { Stack } from "@marquee/scripts/stack";

/** A process of the stack under test, found in /proc by its command line and port. */
export interface StackProcess {
  readonly name: string;
  readonly pids: readonly number[];
  /** `rss`: VmRSS of one process; `pss`: proportional set sizes summed over a process tree (PostgreSQL's
   * backends share its buffers, which summed RSS would count once per backend). */
  readonly measure: "rss" | "pss";
}

/** Resident memory of one process over the run, in MB. */
export interface MemoryRow {
  readonly process: string;
  readonly measure: StackProcess["measure"];
  readonly beforeMb: number;
  readonly peakMb: number;
  readonly afterMb: number;
}

/**
 * The stack's processes: every service and the BFF (Node, found by entry point and `PORT`), redis-server
 * (by its port) and PostgreSQL (the postmaster under the stack's data directory, with its backends).
 */
export function stackProcesses(stack: Stack): StackProcess[] {
  const processes = listProcesses();
  const found: StackProcess[] = [];
  const node = (name: string, entry: string, port: string) => {
    const pids = processes
      .filter((p) => p.cmdline.includes(entry) && environOf(p.pid).includes(`PORT=${port}`))
      .map((p) => p.pid);
    if (pids.length > 0) found.push({ name, pids, measure: "rss" });
  };
  for (const service of stack.services) {
    node(service.name, `services/${service.name}/src/server.ts`, service.address.split(":").at(-1) ?? "");
  }
  if (stack.bffUrl !== undefined) node("bff", "bff/src/server.ts", new URL(stack.bffUrl).port);
  const redisPort = new URL(stack.redisUrl).port;
  const redis = processes.filter((p) => p.cmdline.includes("redis-server") && p.cmdline.includes(`:${redisPort}`));
  if (redis.length > 0) found.push({ name: "redis", pids: redis.map((p) => p.pid), measure: "rss" });
  const postmaster = processes.find((p) => /postgres/.test(p.cmdline) && p.cmdline.includes(stack.dataDir));
  if (postmaster !== undefined) {
    const tree = [postmaster.pid, ...processes.filter((p) => p.ppid === postmaster.pid).map((p) => p.pid)];
    found.push({ name: "postgres", pids: tree, measure: "pss" });
  }
  return found;
}

/** Resident MB of a process now (PostgreSQL's tree re-read, as backends come and go); undefined once gone. */
export function residentMb(process: StackProcess): number | undefined {
  if (process.measure === "rss") {
    const kb = process.pids.map((pid) => statusKb(pid, "VmRSS"));
    return kb.some((k) => k === undefined) ? undefined : kb.reduce<number>((s, k) => s + (k ?? 0), 0) / 1024;
  }
  const root = process.pids[0] as number;
  const tree = [
    root,
    ...listProcesses()
      .filter((p) => p.ppid === root)
      .map((p) => p.pid),
  ];
  const kb = tree.map((pid) => pssKb(pid) ?? 0);
  return statusKb(root, "VmRSS") === undefined ? undefined : kb.reduce((s, k) => s + k, 0) / 1024;
}

/** Samples each process's resident memory: once before, as often as asked during, once after. */
export class MemoryWatch {
  private readonly before = new Map<string, number>();
  private readonly peak = new Map<string, number>();
  private readonly after = new Map<string, number>();

  constructor(readonly processes: readonly StackProcess[]) {}

  sampleBefore(): void {
    this.sampleInto(this.before);
  }

  sampleDuring(): void {
    for (const process of this.processes) {
      const mb = residentMb(process);
      if (mb !== undefined) this.peak.set(process.name, Math.max(mb, this.peak.get(process.name) ?? 0));
    }
  }

  sampleAfter(): void {
    this.sampleInto(this.after);
    this.sampleDuring();
  }

  rows(): MemoryRow[] {
    return this.processes.map((process) => ({
      process: process.name,
      measure: process.measure,
      beforeMb: round(this.before.get(process.name) ?? 0),
      peakMb: round(this.peak.get(process.name) ?? 0),
      afterMb: round(this.after.get(process.name) ?? 0),
    }));
  }

  private sampleInto(map: Map<string, number>): void {
    for (const process of this.processes) {
      const mb = residentMb(process);
      if (mb !== undefined) map.set(process.name, mb);
    }
  }
}

interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  readonly cmdline: string;
}

function listProcesses(): ProcessEntry[] {
  const entries: ProcessEntry[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8").replaceAll("\u0000", " ");
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // The command name in parentheses may hold spaces; the parent pid is the second field after it.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      entries.push({ pid: Number(name), ppid, cmdline });
    } catch {
      // The process ended while being read.
    }
  }
  return entries;
}

function environOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, "utf8").split("\u0000");
  } catch {
    return [];
  }
}

function statusKb(pid: number, key: string): number | undefined {
  try {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match === null ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

function pssKb(pid: number): number | undefined {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return match === null ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

function round(mb: number): number {
  return Math.round(mb * 10) / 10;
}
