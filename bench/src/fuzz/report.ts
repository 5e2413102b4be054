import { formatNumber, type MachineInfo, markdownTable } from "../support/results.js";
import type { FuzzConfig } from "./config.js";
import type { FuzzResults } from "./engine.js";

/** What a fuzz run leaves behind: its settings, the machine, and the engine's results. */
export interface FuzzRun {
  readonly config: FuzzConfig;
  readonly machine: MachineInfo;
  readonly results: FuzzResults;
}

/** bench/results/fuzz.json. */
export function resultsJson(run: FuzzRun): unknown {
  return {
    machine: run.machine,
    config: {
      requests: run.config.requests,
      seed: run.results.seed,
      concurrency: run.config.concurrency,
      memory_growth_limit_mb: run.config.memoryGrowthLimitMb,
      port_offset: run.config.portOffset,
    },
    ...run.results,
  };
}

/** Counts of `table` with a column per outcome and a total, rows sorted. */
function countsTable(
  first: string,
  table: FuzzResults["by_protocol"],
  columns: readonly string[],
  rows = Object.keys(table).sort(),
): string {
  return markdownTable(
    [first, ...columns, "total"],
    rows.map((row) => {
      const counts = table[row] ?? {};
      const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
      return [row, ...columns.map((column) => formatNumber(counts[column] ?? 0)), formatNumber(total)];
    }),
    ["left", ...columns.map(() => "right" as const), "right"],
  );
}

/** The README's fuzz section: the run, the findings, the counts, memory. */
export function readmeSection(run: FuzzRun): string {
  const r = run.results;
  const m = run.machine;
  const notServed = r.not_served_rpcs.reduce<Record<string, number>>((sum, rpc) => {
    for (const [outcome, n] of Object.entries(r.by_rpc[rpc] ?? {})) sum[outcome] = (sum[outcome] ?? 0) + n;
    return sum;
  }, {});
  const byRpc = { ...Object.fromEntries(r.served_rpcs.map((rpc) => [rpc, r.by_rpc[rpc] ?? {}])) };
  const findings =
    r.findings.length === 0
      ? ["**No findings.**"]
      : [
          `**${formatNumber(r.finding_count)} findings, ${r.findings.length} distinct:**`,
          "",
          ...r.findings.map((f) => {
            const repro = f.reproducer;
            const where =
              repro === undefined
                ? ""
                : ` e.g. ${repro.rpc} over ${repro.protocol} as ${repro.tokenKind} (${repro.input}): ${repro.answer.outcome}`;
            return `- \`${f.class}\` ×${formatNumber(f.count)}: ${f.summary.split("\n", 1)[0]}${where}`;
          }),
          "",
          "Reproducers (base64 request bytes) are in bench/results/fuzz.json.",
        ];
  return [
    `Last run: ${m.date.slice(0, 16).replace("T", " ")} UTC, ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node}; ` +
      `seed ${r.seed}, ${formatNumber(r.requests)} requests in ${formatNumber(r.duration_s)} s from ${r.concurrency} callers, ` +
      `over ${r.public_rpcs} public RPCs (${r.served_rpcs.length} served by this stack; the other ` +
      `${r.not_served_rpcs.length}, of services not built yet, answer UNIMPLEMENTED and get 1 request in 20); ` +
      `${formatNumber(r.successful_mutations)} successful mutating calls.`,
    "",
    ...findings,
    "",
    "Answers by protocol and code (CUT: a WatchAvailability stream the client ended, as a watcher leaves):",
    "",
    countsTable("protocol", r.by_protocol, r.outcomes),
    "",
    "Answers by protocol and HTTP status (gRPC's is always 200: its status is in the trailers):",
    "",
    countsTable("protocol", r.http_by_protocol, r.http_statuses),
    "",
    "Answers by RPC and code:",
    "",
    countsTable("rpc", { ...byRpc, [`${r.not_served_rpcs.length} RPCs not served`]: notServed }, r.outcomes, [
      ...r.served_rpcs,
      `${r.not_served_rpcs.length} RPCs not served`,
    ]),
    "",
    `Resident memory of each process, MB (VmRSS; PostgreSQL: PSS summed over its backends). A process ending more than ${r.memory_growth_limit_mb} MB above its start is a finding:`,
    "",
    markdownTable(
      ["process", "before", "peak during", "after", "growth"],
      r.memory_mb.map((row) => [
        row.process,
        formatNumber(row.before, 1),
        formatNumber(row.peak, 1),
        formatNumber(row.after, 1),
        formatNumber(row.after - row.before, 1),
      ]),
      ["left", "right", "right", "right", "right"],
    ),
    "",
    `/readyz, polled every second: ${formatNumber(r.readiness.ok)} ready, ${formatNumber(r.readiness.notOk)} not ready, ` +
      `${formatNumber(r.readiness.slow)} without an answer within 3 s. Seeds: ${seedFates(r)}.`,
  ].join("\n");
}

/** "8 unchanged, 3 changed by a successful call naming it". */
function seedFates(r: FuzzResults): string {
  const counts = new Map<string, number>();
  for (const seed of r.seeds) counts.set(seed.fate, (counts.get(seed.fate) ?? 0) + 1);
  return [...counts].map(([fate, n]) => `${n} ${fate}`).join(", ");
}
