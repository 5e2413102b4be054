import { rmSync } from "node:fs";
import { join } from "node:path";
import { killOrphan } from "@marquee/mesh/local";
import { type Stack, startStack } from "@marquee/scripts/stack";
import { type MachineInfo, machineInfo } from "./results.js";

/** Settings that would point a benchmark's stack at other stores or add exporters to what is measured. */
const foreignSettings = ["DATABASE_URL", "REDIS_URL", "MARQUEE_TRACE_FILE", "OTEL_EXPORTER_OTLP_ENDPOINT"];

/**
 * What every benchmark does before it starts its stack in `dataDir`: prints the load average (figures of a
 * busy machine are not to be believed), drops the foreign settings, stops the PostgreSQL and redis-server
 * an interrupted run left in `dataDir`, and wipes it. Returns the machine as the run found it; `note` ends
 * the load-average line (the fuzz run's seed).
 */
export async function prepareBenchRun(
  dataDir: string,
  say: (line: string) => void,
  note?: string,
): Promise<MachineInfo> {
  const machine = machineInfo();
  const loadAverage = `load average before: ${machine.loadAverage.join(" / ")} on ${machine.cpus} CPUs`;
  say(note === undefined ? loadAverage : `${loadAverage}; ${note}`);
  for (const name of foreignSettings) {
    if (process.env[name] === undefined) continue;
    say(`ignoring ${name}: the benchmark runs its own stores and exports nothing`);
    delete process.env[name];
  }
  await killOrphan(join(dataDir, "postgres", "postmaster.pid"), "postgres");
  await killOrphan(join(dataDir, "redis", "redis.pid"), "redis-server");
  rmSync(dataDir, { recursive: true, force: true });
  return machine;
}

/** What `startBenchStack` reads of a benchmark's config. */
export interface BenchStackConfig {
  /** Added to every port of the stack, so it meets no stack the tests start. */
  readonly portOffset: number;
  /** Whether every Node process of the stack runs with --cpu-prof, writing into `profileDirOf(dataDir)`. */
  readonly isProfiling?: boolean;
}

/** Where the Node processes of a profiled benchmark stack in `dataDir` write their CPU profiles. */
export function profileDirOf(dataDir: string): string {
  return join(dataDir, "profiles");
}

/**
 * Starts a benchmark's stack in `dataDir` (`startStack`) with the BFF's rate limits off: no benchmark is
 * about them, and a few callers sending thousands of requests a second would measure only their refusals.
 * When profiling, its Node processes start with --cpu-prof: the launcher passes its own environment to every
 * process it spawns, NODE_OPTIONS included, so setting it around `startStack` profiles the services, the
 * payment gateway simulator, the BFF and the migrations (whose profiles are ignored), and nothing else.
 */
export async function startBenchStack(
  dataDir: string,
  config: BenchStackConfig,
  say: (line: string) => void,
): Promise<Stack> {
  const inherited = process.env.NODE_OPTIONS;
  if (config.isProfiling) {
    const profiling = ["--cpu-prof", `--cpu-prof-dir=${profileDirOf(dataDir)}`];
    process.env.NODE_OPTIONS = [inherited, ...profiling].filter(Boolean).join(" ");
  }
  say(`starting the stack in ${dataDir}, ports offset by ${config.portOffset}…`);
  try {
    return await startStack({ dataDir, portOffset: config.portOffset, logLevel: "warn", say, isRateLimited: false });
  } finally {
    if (inherited === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = inherited;
  }
}
