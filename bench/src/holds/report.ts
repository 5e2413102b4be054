import type { ProfileSummary } from "../support/cpu-profile.js";
import type { LoadResult } from "../support/load.js";
import type { CpuUse } from "../support/process-cpu.js";
import { formatNumber, type MachineInfo, markdownTable } from "../support/results.js";
import type { HoldsConfig, VariantKey } from "./config.js";

/** One variant as it ran. */
export interface VariantRun {
  readonly key: VariantKey;
  readonly title: string;
  readonly setup: string;
  readonly load: LoadResult;
  /** Cores each process group used during the window. */
  readonly cpu: CpuUse;
  /** Redis forks (RDB snapshots) that started during the window: each costs a burst of CPU. */
  readonly redisForks: number;
}

/** One profiled process, cut to one variant's window. */
export interface ProfileReport {
  readonly process: "inventory" | "bff";
  readonly variant: VariantKey;
  readonly file: string;
  readonly summary: ProfileSummary;
}

/** Everything a run of the holds benchmark measured. */
export interface HoldsRun {
  readonly config: HoldsConfig;
  readonly machine: MachineInfo;
  readonly loadAverageAfter: readonly number[];
  readonly runs: readonly VariantRun[];
  readonly profiles: readonly ProfileReport[];
  /** Why there is no profile, when there is none. */
  readonly profileNote: string | undefined;
}

/** The ratios the issue asks for, and one more: the gRPC hold against the baseline with async commit. */
const ratioDefinitions = [
  { key: "grpc_over_raw_lua", over: "grpc", under: "raw_lua", label: "grpc / raw_lua" },
  { key: "grpc_over_pg_for_update", over: "grpc", under: "pg_for_update", label: "grpc / pg_for_update" },
  { key: "trip_grpc_over_grpc", over: "trip_grpc", under: "grpc", label: "trip_grpc / grpc" },
  { key: "bff_over_grpc", over: "bff", under: "grpc", label: "bff / grpc" },
  { key: "grpc_over_pg_async_commit", over: "grpc", under: "pg_async_commit", label: "grpc / pg_async_commit" },
] as const satisfies readonly { key: string; over: VariantKey; under: VariantKey; label: string }[];

/** The goals of issue #16: reported as met or not, never asserted. */
const goalDefinitions = [
  { ratio: "grpc_over_raw_lua", target: 0.2, text: "gRPC HoldSeats ≥ 20% of the raw Lua hold's holds/s" },
  {
    ratio: "grpc_over_pg_for_update",
    target: 3,
    text: "gRPC HoldSeats ≥ 3× the PostgreSQL SELECT … FOR UPDATE baseline",
  },
  { ratio: "trip_grpc_over_grpc", target: 2 / 3, text: "4-leg ride hold ≥ 2/3 of the one-leg hold's holds/s" },
] as const;

const cpuColumns = ["bench", "inventory", "bff", "catalog", "redis", "postgres"] as const;

function perSecond(run: HoldsRun, key: VariantKey): number | undefined {
  return run.runs.find((r) => r.key === key)?.load.perSecond;
}

/** Each ratio, undefined when a side did not run. */
export function ratiosOf(run: HoldsRun): Record<(typeof ratioDefinitions)[number]["key"], number | undefined> {
  const entries = ratioDefinitions.map((ratio) => {
    const over = perSecond(run, ratio.over);
    const under = perSecond(run, ratio.under);
    return [ratio.key, over !== undefined && under !== undefined && under > 0 ? over / under : undefined] as const;
  });
  return Object.fromEntries(entries) as Record<(typeof ratioDefinitions)[number]["key"], number | undefined>;
}

/** Each goal with its measured ratio and whether it is met. */
export function goalsOf(run: HoldsRun) {
  const ratios = ratiosOf(run);
  return goalDefinitions.map((goal) => {
    const actual = ratios[goal.ratio];
    return {
      goal: goal.text,
      ratio: goal.ratio,
      target: goal.target,
      actual,
      isMet: actual !== undefined && actual >= goal.target,
    };
  });
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** `bench/results/holds.json`: the flat keys the issue names first, then the detail behind them. */
export function resultsJson(run: HoldsRun): Record<string, unknown> {
  const flat: Record<string, number> = {};
  for (const r of run.runs) {
    flat[`${r.key}_per_s`] = round(r.load.perSecond, 1);
    flat[`${r.key}_p50_ms`] = round(r.load.latency.p50Ms, 3);
    flat[`${r.key}_p99_ms`] = round(r.load.latency.p99Ms, 3);
  }
  const ratios = ratiosOf(run);
  return {
    ...flat,
    concurrency: run.config.concurrency,
    duration_s: run.config.durationMs / 1000,
    warmup_s: run.config.warmupMs / 1000,
    seats_per_hold: 4,
    connections: run.config.connections,
    pg_pool: run.config.pgPoolSize,
    cpu_profiling: run.config.isProfiling,
    machine: { ...run.machine, loadAverageAfter: run.loadAverageAfter },
    ratios: Object.fromEntries(
      Object.entries(ratios).map(([key, value]) => [key, value === undefined ? null : round(value, 3)]),
    ),
    goals: goalsOf(run).map((goal) => ({
      goal: goal.goal,
      ratio: goal.ratio,
      target: round(goal.target, 3),
      actual: goal.actual === undefined ? null : round(goal.actual, 3),
      met: goal.isMet,
    })),
    variants: Object.fromEntries(
      run.runs.map((r) => [
        r.key,
        {
          title: r.title,
          setup: r.setup,
          completed: r.load.completed,
          failed: r.load.failed,
          first_failure: r.load.firstFailure ?? null,
          warmup_completed: r.load.warmupCompleted,
          window_ms: round(r.load.windowMs, 1),
          ran_out_of_work: r.load.isExhausted,
          per_s: round(r.load.perSecond, 1),
          latency_ms: Object.fromEntries(Object.entries(r.load.latency).map(([k, v]) => [k, round(v, 3)])),
          window_start_us: r.load.windowStartUs,
          window_end_us: r.load.windowEndUs,
          cpu_cores: Object.fromEntries(Object.entries(r.cpu.cores).map(([k, v]) => [k, round(v, 3)])),
          main_thread_cores: Object.fromEntries(
            Object.entries(r.cpu.threads).map(([k, t]) => [
              k,
              {
                busy: round(t.main, 3),
                waiting_for_cpu: round(t.mainWaiting, 3),
                helper_threads: round(t.helpers, 3),
                helper_threads_by_name: Object.fromEntries(
                  Object.entries(t.helpersByName).map(([thread, cores]) => [thread, round(cores, 3)]),
                ),
              },
            ]),
          ),
          machine_cores: round(r.cpu.machineCores, 3),
          machine_cpu_ms_per_hold: round(cpuMsPerHold(r), 3),
          other_processes_cores: round(r.cpu.otherCores, 3),
          kernel_cores: round(r.cpu.kernelCores, 3),
          redis_forks: r.redisForks,
        },
      ]),
    ),
    profiles: run.profiles.map((p) => ({
      process: p.process,
      window_of: p.variant,
      file: p.file,
      busy_share_of_one_core: round(p.summary.busyShare, 3),
      top: p.summary.top.map((f) => ({ ...f, selfMs: round(f.selfMs, 1), share: round(f.share, 4) })),
      areas: p.summary.areas.map((a) => ({ ...a, selfMs: round(a.selfMs, 1), share: round(a.share, 4) })),
    })),
    profile_note: run.profileNote ?? null,
  };
}

const ms = (value: number) => formatNumber(value, 2);
const ratioText = (value: number | undefined) => (value === undefined ? "n/a" : `${formatNumber(value, 3)}×`);
const percent = (value: number) => `${formatNumber(value * 100, 1)}%`;

/** CPU the whole machine spent per hold in the window (every process, the load generator included). */
function cpuMsPerHold(r: VariantRun): number {
  return r.load.perSecond > 0 ? (r.cpu.machineCores * 1000) / r.load.perSecond : 0;
}

/** The figures: holds/s and latency per variant. */
export function figuresTable(run: HoldsRun): string {
  return markdownTable(
    ["variant", "holds/s", "p50 ms", "p99 ms", "max ms", "completed", "failed", "machine CPU ms/hold"],
    run.runs.map((r) => [
      r.key,
      formatNumber(r.load.perSecond),
      ms(r.load.latency.p50Ms),
      ms(r.load.latency.p99Ms),
      ms(r.load.latency.maxMs),
      formatNumber(r.load.completed),
      String(r.load.failed),
      ms(cpuMsPerHold(r)),
    ]),
    ["left", "right", "right", "right", "right", "right", "right", "right"],
  );
}

/** Cores each process used during each window, the rest of the machine, and the machine in all. */
export function cpuTable(run: HoldsRun): string {
  return markdownTable(
    ["variant", ...cpuColumns, "other processes", "kernel", "machine"],
    run.runs.map((r) => [
      r.key,
      ...cpuColumns.map((c) => formatNumber(r.cpu.cores[c] ?? 0, 2)),
      formatNumber(r.cpu.otherCores, 2),
      formatNumber(r.cpu.kernelCores, 2),
      `${formatNumber(r.cpu.machineCores, 2)} / ${run.machine.cpus}`,
    ]),
    ["left", ...cpuColumns.map(() => "right" as const), "right", "right", "right"],
  );
}

const threadedColumns = ["bench", "inventory", "bff", "redis"] as const;

/** Main threads (busy, and waiting for a CPU while runnable) and helper threads, in cores. */
export function threadsTable(run: HoldsRun): string {
  return markdownTable(
    ["variant", ...threadedColumns.map((c) => `${c} main / waiting / helpers`)],
    run.runs.map((r) => [
      r.key,
      ...threadedColumns.map((c) => {
        const t = r.cpu.threads[c];
        return t === undefined
          ? "n/a"
          : `${formatNumber(t.main, 2)} / ${formatNumber(t.mainWaiting, 2)} / ${formatNumber(t.helpers, 2)}`;
      }),
    ]),
    ["left", ...threadedColumns.map(() => "right" as const)],
  );
}

/** Ratios and goals, as lines. */
export function ratiosAndGoals(run: HoldsRun): string {
  const ratios = ratiosOf(run);
  const ratioLines = ratioDefinitions.map((r) => `- ${r.label}: ${ratioText(ratios[r.key])}`);
  const goalLines = goalsOf(run).map(
    (g) =>
      `- ${g.actual === undefined ? "NOT MEASURED" : g.isMet ? "MET" : "NOT MET"}: ${g.goal} (target ${formatNumber(g.target, 3)}×, measured ${ratioText(g.actual)})`,
  );
  return [
    "Ratios (holds/s over holds/s):",
    "",
    ...ratioLines,
    "",
    "Goals of issue #16 (reported, never asserted):",
    "",
    ...goalLines,
  ].join("\n");
}

/** What each variant's figures warn of: failures, running out of work, snapshots inside the window. */
export function warnings(run: HoldsRun): string[] {
  const lines: string[] = [];
  for (const r of run.runs) {
    if (r.load.failed > 0) lines.push(`${r.key}: ${r.load.failed} requests failed; first: ${r.load.firstFailure}`);
    if (r.load.isExhausted)
      lines.push(`${r.key}: ran out of seats or buyers; the window closed early (raise BENCH_MAX_HOLDS_PER_S)`);
    if (r.redisForks > 0) lines.push(`${r.key}: Redis forked ${r.redisForks}× for an RDB snapshot during the window`);
    if (r.cpu.otherCores > 0.05)
      lines.push(
        `${r.key}: processes outside this benchmark used ${formatNumber(r.cpu.otherCores, 2)} cores during the window`,
      );
  }
  return lines;
}

/** One profile: how busy the thread was, its top functions and its areas. */
export function profileText(report: ProfileReport, topAreas = 12): string {
  const s = report.summary;
  const head =
    `${report.process} during the ${report.variant} window: busy ${percent(s.busyShare)} of one core ` +
    `(${formatNumber(s.busyMs)} ms busy, ${formatNumber(s.idleMs)} ms idle over ${formatNumber(s.sampledMs)} ms, ${formatNumber(s.samples)} samples)`;
  const functions = markdownTable(
    ["#", "function", "where", "self ms", "share of busy"],
    s.top.map((f, i) => [String(i + 1), f.name, f.location || "(V8)", formatNumber(f.selfMs), percent(f.share)]),
    ["right", "left", "left", "right", "right"],
  );
  const areas = markdownTable(
    ["area", "self ms", "share of busy"],
    s.areas.slice(0, topAreas).map((a) => [a.area, formatNumber(a.selfMs), percent(a.share)]),
    ["left", "right", "right"],
  );
  return [head, "", functions, "", "By area (self time summed over its functions):", "", areas].join("\n");
}

function runLine(run: HoldsRun): string {
  const m = run.machine;
  return (
    `${m.date.slice(0, 16).replace("T", " ")} UTC, ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node}; ` +
    `load average ${m.loadAverage.join(" / ")} before, ${run.loadAverageAfter.join(" / ")} after; ` +
    `${run.config.concurrency} requests in flight, ${run.config.warmupMs / 1000} s warm-up + ${run.config.durationMs / 1000} s ` +
    `measured per variant, 4 seats per hold; CPU profiling ${run.config.isProfiling ? "on (--cpu-prof in every service)" : "off"}`
  );
}

const cpuHeading = "CPU in each window, in cores (1.00 = one core busy the whole window):";
const threadsHeading =
  "Main threads: busy / waiting for a CPU while runnable (run-queue delay) / other threads (GC, JIT, libuv pool), in cores:";

/** The figures, CPU and thread tables, ratios and goals: what the printout and the README both show. */
function measuredBlock(run: HoldsRun): string[] {
  return [
    figuresTable(run),
    "",
    cpuHeading,
    "",
    cpuTable(run),
    "",
    threadsHeading,
    "",
    threadsTable(run),
    "",
    ratiosAndGoals(run),
  ];
}

/** Printed at the end of a run. */
export function summaryText(run: HoldsRun): string {
  const parts = [runLine(run), "", ...measuredBlock(run)];
  const warned = warnings(run);
  if (warned.length > 0) parts.push("", "Warnings:", "", ...warned.map((w) => `- ${w}`));
  for (const report of run.profiles) parts.push("", profileText(report));
  if (run.profileNote) parts.push("", run.profileNote);
  return parts.join("\n");
}

/** The README's results section. */
export function readmeResults(run: HoldsRun): string {
  const warned = warnings(run);
  const setups = run.runs.map((r) => `- **${r.key}**: ${r.title}. ${r.setup}.`);
  return [
    `Last run: ${runLine(run)}.`,
    "",
    ...measuredBlock(run),
    ...(warned.length > 0 ? ["", "Warnings of this run:", "", ...warned.map((w) => `- ${w}`)] : []),
    "",
    "Set-up of each variant in this run:",
    "",
    ...setups,
  ].join("\n");
}

/** The README's profile section. */
export function readmeProfile(run: HoldsRun): string {
  if (run.profiles.length === 0) return run.profileNote ?? "No profile in the last run.";
  return run.profiles.map((report) => profileText(report)).join("\n\n");
}
