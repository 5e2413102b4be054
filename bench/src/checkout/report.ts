import type { LatencySummary } from "../support/latency.js";
import type { LoadResult } from "../support/load.js";
import type { CpuUse } from "../support/process-cpu.js";
import { formatNumber, type MachineInfo, markdownTable } from "../support/results.js";
import type { ReconcileOutcome, SeatCheck } from "./books.js";
import type { CheckoutConfig } from "./config.js";
import { type Step, stepNames } from "./flow.js";
import { processNames } from "./processes.js";
import type { ProcessProfile } from "./profiles.js";

/** One measured window: the load and the CPU of every process during it. */
export interface WindowRun {
  readonly load: LoadResult;
  readonly cpu: CpuUse;
}

/** Everything a run of the checkout benchmark measured and checked. */
export interface CheckoutRun {
  readonly config: CheckoutConfig;
  readonly machine: MachineInfo;
  readonly loadAverageAfter: readonly number[];
  /** What was provisioned: events, seats, buyers. */
  readonly setup: string;
  readonly baseline: WindowRun;
  readonly checkout: WindowRun & { readonly steps: Record<Step, LatencySummary & { failed: number }> };
  /** Confirmed checkouts over the whole run (warm-up and the window's stragglers included). */
  readonly confirmedTotal: number;
  readonly reconciliation: ReconcileOutcome;
  readonly seats: SeatCheck | { readonly error: string };
  readonly profiles: readonly ProcessProfile[];
  readonly profileNote: string | undefined;
}

/** The target (#21) and the figure it was set against. */
export const targets = { bookingsPerSecond: 1000, apiP99Ms: 500, pretixCpuMsPerOrder: 150 } as const;

/**
 * CPU ms per operation of each process group, of the processes outside the groups, of the kernel and of
 * the whole machine: cores × 1000 / operations per second. Zeros when nothing completed.
 */
export function cpuMsPerOperation(cpu: CpuUse, perSecond: number): Record<string, number> {
  const perOp = (cores: number) => (perSecond > 0 ? (cores * 1000) / perSecond : 0);
  return {
    ...Object.fromEntries(Object.entries(cpu.cores).map(([name, cores]) => [name, perOp(cores)])),
    other_processes: perOp(cpu.otherCores),
    kernel: perOp(cpu.kernelCores),
    machine: perOp(cpu.machineCores),
  };
}

/** Whether the books and the seat map agree with the checkouts: false when either could not be checked. */
export function isReconciled(run: Pick<CheckoutRun, "reconciliation" | "seats">): boolean {
  const books = run.reconciliation.ran && run.reconciliation.result.discrepancies === 0;
  const seats = !("error" in run.seats) && run.seats.notSold.length === 0 && run.seats.sold === run.seats.expected;
  return books && seats;
}

/** The slowest step's p99: the API latency the target speaks of. */
function apiP99Ms(run: CheckoutRun): number {
  return Math.max(...stepNames.map((step) => run.checkout.steps[step].p99Ms));
}

function goalsOf(run: CheckoutRun) {
  const rate = run.checkout.load.perSecond;
  const p99 = apiP99Ms(run);
  const cpu = cpuMsPerOperation(run.checkout.cpu, rate).machine ?? 0;
  return [
    {
      goal: `${formatNumber(targets.bookingsPerSecond)} confirmed bookings/s`,
      target: targets.bookingsPerSecond,
      actual: round(rate, 1),
      met: rate >= targets.bookingsPerSecond,
    },
    {
      goal: `every API call's p99 < ${targets.apiP99Ms} ms (the slowest step's p99)`,
      target: targets.apiP99Ms,
      actual: round(p99, 1),
      met: p99 < targets.apiP99Ms,
    },
    {
      goal: `machine CPU per order ≤ pretix's ~${targets.pretixCpuMsPerOrder} ms`,
      target: targets.pretixCpuMsPerOrder,
      actual: round(cpu, 1),
      met: rate > 0 && cpu <= targets.pretixCpuMsPerOrder,
    },
  ];
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const roundAll = (values: Record<string, number>, digits: number) =>
  Object.fromEntries(Object.entries(values).map(([key, value]) => [key, round(value, digits)]));
const latencyJson = (latency: LatencySummary) => roundAll({ ...latency }, 3);

/** `bench/results/checkout.json`: the keys the issue names first, then the detail behind them. */
export function resultsJson(run: CheckoutRun): Record<string, unknown> {
  const { checkout, baseline } = run;
  const checkoutCpu = cpuMsPerOperation(checkout.cpu, checkout.load.perSecond);
  const holdCpu = cpuMsPerOperation(baseline.cpu, baseline.load.perSecond);
  return {
    confirmed_per_s: round(checkout.load.perSecond, 1),
    p50_ms: round(checkout.load.latency.p50Ms, 3),
    p99_ms: round(checkout.load.latency.p99Ms, 3),
    errors: checkout.load.failed,
    reconciled: isReconciled(run),
    cpu_ms_per_order: roundAll(
      Object.fromEntries(
        [...processNames, "other_processes", "kernel", "machine"].map((k) => [k, checkoutCpu[k] ?? 0]),
      ),
      3,
    ),
    steps: Object.fromEntries(
      stepNames.map((step) => [step, { ...latencyJson(checkout.steps[step]), failed: checkout.steps[step].failed }]),
    ),
    baseline: {
      what: "HoldSeats alone through the BFF, a new buyer per hold, same seats per hold",
      holds_per_s: round(baseline.load.perSecond, 1),
      p50_ms: round(baseline.load.latency.p50Ms, 3),
      p99_ms: round(baseline.load.latency.p99Ms, 3),
      errors: baseline.load.failed,
      first_error: baseline.load.firstFailure ?? null,
      cpu_ms_per_hold: roundAll(
        Object.fromEntries([...processNames, "other_processes", "kernel", "machine"].map((k) => [k, holdCpu[k] ?? 0])),
        3,
      ),
      cpu_cores: roundAll(baseline.cpu.cores, 3),
      machine_cores: round(baseline.cpu.machineCores, 3),
    },
    ratios: {
      checkout_per_s_over_hold_per_s: ratio(checkout.load.perSecond, baseline.load.perSecond),
      cpu_per_checkout_over_cpu_per_hold: ratio(checkoutCpu.machine ?? 0, holdCpu.machine ?? 0),
    },
    goals: goalsOf(run),
    reconciliation: run.reconciliation.ran
      ? {
          ran: true,
          orders_checked: run.reconciliation.result.ordersChecked,
          pending_skipped: run.reconciliation.result.pendingSkipped,
          discrepancies: run.reconciliation.result.discrepancies,
          discrepancy_lines: run.reconciliation.result.lines.slice(0, 20),
        }
      : { ran: false, reason: run.reconciliation.reason },
    seats_sold: "error" in run.seats ? { error: run.seats.error } : { ...run.seats },
    confirmed_total: run.confirmedTotal,
    completed: checkout.load.completed,
    first_error: checkout.load.firstFailure ?? null,
    warmup_completed: checkout.load.warmupCompleted,
    warmup_errors: checkout.load.warmupFailed,
    ran_out_of_work: checkout.load.isExhausted,
    window_ms: round(checkout.load.windowMs, 1),
    window_start_us: checkout.load.windowStartUs,
    window_end_us: checkout.load.windowEndUs,
    latency_ms: latencyJson(checkout.load.latency),
    cpu_cores: roundAll(checkout.cpu.cores, 3),
    main_thread_cores: Object.fromEntries(
      Object.entries(checkout.cpu.threads).map(([name, t]) => [
        name,
        { busy: round(t.main, 3), waiting_for_cpu: round(t.mainWaiting, 3), helper_threads: round(t.helpers, 3) },
      ]),
    ),
    machine_cores: round(checkout.cpu.machineCores, 3),
    other_processes_cores: round(checkout.cpu.otherCores, 3),
    kernel_cores: round(checkout.cpu.kernelCores, 3),
    concurrency: run.config.concurrency,
    duration_s: run.config.durationMs / 1000,
    warmup_s: run.config.warmupMs / 1000,
    baseline_duration_s: run.config.baselineMs / 1000,
    seats_per_checkout: 4,
    cpu_profiling: run.config.isProfiling,
    setup: run.setup,
    machine: { ...run.machine, loadAverageAfter: run.loadAverageAfter },
    profiles: run.profiles.map((p) => ({
      process: p.process,
      file: p.file,
      busy_share_of_one_core: round(p.summary.busyShare, 3),
      top: p.summary.top.map((f) => ({ ...f, selfMs: round(f.selfMs, 1), share: round(f.share, 4) })),
      areas: p.summary.areas.slice(0, 12).map((a) => ({ ...a, selfMs: round(a.selfMs, 1), share: round(a.share, 4) })),
    })),
    profile_note: run.profileNote ?? null,
  };
}

function ratio(over: number, under: number): number | null {
  return under > 0 ? round(over / under, 3) : null;
}

const ms = (value: number) => formatNumber(value, 2);
const percent = (value: number) => `${formatNumber(value * 100, 1)}%`;

/** The lines that must not be missed: books that do not balance, seats not sold, failures. */
export function warnings(run: CheckoutRun): string[] {
  const lines: string[] = [];
  const r = run.reconciliation;
  if (!r.ran) lines.push(`RECONCILIATION DID NOT RUN: ${r.reason}`);
  else if (r.result.discrepancies > 0) {
    lines.push(
      `RECONCILIATION FOUND ${r.result.discrepancies} DISCREPANCIES between ordering and payment: ${r.result.lines.slice(0, 3).join("; ")}`,
    );
  }
  if ("error" in run.seats) lines.push(`SEATS NOT CHECKED: ${run.seats.error}`);
  else if (run.seats.sold !== run.seats.expected) {
    lines.push(
      `SEATS NOT SOLD: ${run.seats.expected - run.seats.sold} of ${run.seats.expected} seats of confirmed orders are not SOLD (${run.seats.notSold.join(", ")})`,
    );
  }
  if (!("error" in run.seats) && run.seats.soldUnclaimed > 0) {
    lines.push(`${run.seats.soldUnclaimed} seats are SOLD that no confirmed checkout of the bench names`);
  }
  for (const [name, w] of [
    ["checkout", run.checkout],
    ["baseline", run.baseline],
  ] as const) {
    if (w.load.failed > 0) lines.push(`${name}: ${w.load.failed} failed in the window; first: ${w.load.firstFailure}`);
    if (w.load.isExhausted) lines.push(`${name}: ran out of seats or buyers; the window closed early`);
    if (w.cpu.otherCores > 0.05) {
      lines.push(`${name}: processes outside this benchmark used ${formatNumber(w.cpu.otherCores, 2)} cores`);
    }
  }
  return lines;
}

function runLine(run: CheckoutRun): string {
  const m = run.machine;
  const c = run.config;
  return (
    `${m.date.slice(0, 16).replace("T", " ")} UTC, ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node}; ` +
    `load average ${m.loadAverage.join(" / ")} before, ${run.loadAverageAfter.join(" / ")} after; ` +
    `${c.concurrency} buyers in flight; ${c.warmupMs / 1000} s warm-up + ${c.durationMs / 1000} s of checkouts, ` +
    `${c.warmupMs / 1000} s + ${c.baselineMs / 1000} s of the baseline; 4 seats per order; ` +
    `CPU profiling ${c.isProfiling ? "on (--cpu-prof in every Node process)" : "off"}`
  );
}

function figuresTable(run: CheckoutRun): string {
  const { checkout, baseline } = run;
  const row = (name: string, w: WindowRun, unit: string) => [
    name,
    formatNumber(w.load.perSecond, 1),
    unit,
    ms(w.load.latency.p50Ms),
    ms(w.load.latency.p99Ms),
    ms(w.load.latency.maxMs),
    formatNumber(w.load.completed),
    String(w.load.failed),
    ms(cpuMsPerOperation(w.cpu, w.load.perSecond).machine ?? 0),
  ];
  return markdownTable(
    ["what", "per s", "of", "p50 ms", "p99 ms", "max ms", "completed", "errors", "machine CPU ms each"],
    [row("checkout", checkout, "confirmed orders"), row("baseline: HoldSeats", baseline, "holds")],
    ["left", "right", "left", "right", "right", "right", "right", "right", "right"],
  );
}

function stepsTable(run: CheckoutRun): string {
  return markdownTable(
    ["step", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors"],
    stepNames.map((step) => {
      const s = run.checkout.steps[step];
      return [step, ms(s.p50Ms), ms(s.p90Ms), ms(s.p99Ms), ms(s.maxMs), String(s.failed)];
    }),
    ["left", "right", "right", "right", "right", "right"],
  );
}

/** CPU ms per confirmed order and per baseline hold, and cores, by process. */
function cpuTable(run: CheckoutRun): string {
  const perOrder = cpuMsPerOperation(run.checkout.cpu, run.checkout.load.perSecond);
  const perHold = cpuMsPerOperation(run.baseline.cpu, run.baseline.load.perSecond);
  const coresOf = (cpu: CpuUse, key: string) =>
    key === "other_processes"
      ? cpu.otherCores
      : key === "kernel"
        ? cpu.kernelCores
        : key === "machine"
          ? cpu.machineCores
          : (cpu.cores[key] ?? 0);
  const keys = [...processNames, "other_processes", "kernel", "machine"];
  return markdownTable(
    ["process", "CPU ms / order", "cores (checkout)", "main thread busy / waiting", "CPU ms / hold (baseline)"],
    keys.map((key) => {
      const t = run.checkout.cpu.threads[key];
      return [
        key === "machine" ? "**machine**" : key,
        ms(perOrder[key] ?? 0),
        key === "machine"
          ? `${formatNumber(run.checkout.cpu.machineCores, 2)} / ${run.machine.cpus}`
          : formatNumber(coresOf(run.checkout.cpu, key), 2),
        t === undefined ? "" : `${formatNumber(t.main, 2)} / ${formatNumber(t.mainWaiting, 2)}`,
        ms(perHold[key] ?? 0),
      ];
    }),
    ["left", "right", "right", "right", "right"],
  );
}

function checksText(run: CheckoutRun): string[] {
  const r = run.reconciliation;
  const books = r.ran
    ? `${r.result.discrepancies === 0 ? "reconciled" : "**NOT RECONCILED**"}: ordering's reconciliation checked ${formatNumber(r.result.ordersChecked)} settled orders against the payment service (${r.result.pendingSkipped} pending skipped), ${r.result.discrepancies} discrepancies`
    : `**NOT RECONCILED**: the reconciliation did not run (${r.reason})`;
  const seats =
    "error" in run.seats
      ? `**seats not checked**: ${run.seats.error}`
      : `${run.seats.sold === run.seats.expected ? "seats sold" : "**SEATS NOT SOLD**"}: ${formatNumber(run.seats.sold)} of the ${formatNumber(run.seats.expected)} seats of ${formatNumber(run.confirmedTotal)} confirmed orders (warm-up included) are SOLD in the inventory across ${run.seats.events} events; ${run.seats.soldUnclaimed} SOLD seats no confirmed order names`;
  return [`- Books: ${books}.`, `- Seats: ${seats}.`];
}

function goalsText(run: CheckoutRun): string[] {
  const ratios = resultsJson(run).ratios as Record<string, number | null>;
  return [
    `- checkout / hold (confirmed orders/s over holds/s, same run): ${ratios.checkout_per_s_over_hold_per_s ?? "n/a"}×; machine CPU per checkout over per hold: ${ratios.cpu_per_checkout_over_cpu_per_hold ?? "n/a"}×`,
    ...goalsOf(run).map(
      (g) => `- ${g.met ? "MET" : "NOT MET"}: ${g.goal} (measured ${formatNumber(g.actual, 1)}, target ${g.target})`,
    ),
  ];
}

/** One process's profile as µs of its main thread per confirmed order: its top functions and areas. */
function profileText(report: ProcessProfile, confirmedInWindow: number, topAreas = 6): string {
  const s = report.summary;
  const perOrder = (selfMs: number) => (confirmedInWindow > 0 ? formatNumber((selfMs * 1000) / confirmedInWindow) : "");
  const head =
    `**${report.process}**: main thread busy ${percent(s.busyShare)} of one core, ` +
    `${perOrder(s.busyMs)} µs per order (${formatNumber(s.samples)} samples)`;
  const functions = markdownTable(
    ["#", "function", "where", "µs / order", "share"],
    s.top.map((f, i) => [String(i + 1), f.name, f.location || "(V8)", perOrder(f.selfMs), percent(f.share)]),
    ["right", "left", "left", "right", "right"],
  );
  const areas = s.areas
    .slice(0, topAreas)
    .map((a) => `${a.area} ${percent(a.share)}`)
    .join(", ");
  return [head, "", functions, "", `By area: ${areas}.`].join("\n");
}

function profilesText(run: CheckoutRun): string[] {
  if (run.profiles.length === 0) return [run.profileNote ?? "No profiles in this run."];
  const confirmed = run.checkout.load.completed;
  return [
    "Where the CPU per order goes: each Node process's main thread during the checkout window (self time, the",
    "profile sampled every millisecond; GC and JIT helper threads, PostgreSQL and Redis are only in the table above).",
    "",
    ...run.profiles.flatMap((p) => [profileText(p, confirmed), ""]),
    ...(run.profileNote ? [run.profileNote] : []),
  ];
}

/** The figures, steps, CPU, checks and goals: what both the printout and the README show. */
function measuredBlock(run: CheckoutRun): string[] {
  const warned = warnings(run);
  return [
    ...(warned.length > 0 ? ["**Warnings of this run:**", "", ...warned.map((w) => `- ${w}`), ""] : []),
    figuresTable(run),
    "",
    "Each step of a checkout, in the window (hold, quote and create through the BFF; tokenize at the gateway; create includes polling GetOrder while PENDING):",
    "",
    stepsTable(run),
    "",
    "Machine CPU by process (cores: 1.00 = one core busy the whole window):",
    "",
    cpuTable(run),
    "",
    ...checksText(run),
    "",
    "Ratios and the goals of issue #21 (reported, never asserted):",
    "",
    ...goalsText(run),
  ];
}

/** Printed at the end of a run; discrepancies first and loud. */
export function summaryText(run: CheckoutRun): string {
  const loud = isReconciled(run)
    ? []
    : ["!!!!!!!! THE BOOKS OR THE SEATS DO NOT AGREE WITH THE CHECKOUTS: see the warnings !!!!!!!!", ""];
  return [...loud, runLine(run), "", ...measuredBlock(run), "", ...profilesText(run)].join("\n");
}

/** The README's checkout results section. */
export function readmeSection(run: CheckoutRun): string {
  return [
    `Last run: ${runLine(run)}.`,
    "",
    ...measuredBlock(run),
    "",
    `Set-up: ${run.setup}.`,
    "",
    ...profilesText(run),
  ].join("\n");
}
