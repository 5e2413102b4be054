import type { FuzzReport } from "./campaign.js";
import type { CountTable, FindingGroup } from "./counts.js";
import { outcomeColumns } from "./summary.js";

/**
 * A run's report as plain JSON, the form `bench/results/fuzz.json` stores and the bench's README section
 * is written from: counts by protocol and code, by protocol and HTTP status, by RPC; the findings with a
 * reproducer each; resident memory before, during and after per process; what became of each seed.
 */
export interface FuzzResults {
  readonly seed: number;
  readonly requests: number;
  readonly concurrency: number;
  readonly duration_s: number;
  readonly public_rpcs: number;
  readonly served_rpcs: readonly string[];
  readonly not_served_rpcs: readonly string[];
  /** Every outcome a table has a column for, in order. */
  readonly outcomes: readonly string[];
  readonly http_statuses: readonly string[];
  readonly by_protocol: CountTable;
  readonly http_by_protocol: CountTable;
  readonly by_rpc: CountTable;
  readonly finding_count: number;
  readonly findings: readonly FindingGroup[];
  readonly memory_growth_limit_mb: number;
  readonly memory_mb: readonly {
    readonly process: string;
    readonly measure: string;
    readonly before: number;
    readonly peak: number;
    readonly after: number;
  }[];
  readonly readiness: FuzzReport["readinessChecks"];
  readonly successful_mutations: number;
  readonly seeds: FuzzReport["seeds"];
  readonly slowest_calls: FuzzReport["slowest"];
}

export function resultsOf(report: FuzzReport): FuzzResults {
  const { counts } = report;
  return {
    seed: report.seed,
    requests: report.requests,
    concurrency: report.concurrency,
    duration_s: Math.round(report.durationMs / 100) / 10,
    public_rpcs: report.rpcs.length,
    served_rpcs: report.rpcs.filter((rpc) => rpc.isServed).map((rpc) => rpc.name),
    not_served_rpcs: report.rpcs.filter((rpc) => !rpc.isServed).map((rpc) => rpc.name),
    outcomes: outcomeColumns([counts.byProtocol, counts.byRpc]),
    http_statuses: outcomeColumns([counts.httpByProtocol]),
    by_protocol: counts.byProtocol,
    http_by_protocol: counts.httpByProtocol,
    by_rpc: counts.byRpc,
    finding_count: report.findingCount,
    findings: report.findings,
    memory_growth_limit_mb: report.memoryGrowthLimitMb,
    memory_mb: report.memory.map((row) => ({
      process: row.process,
      measure: row.measure,
      before: row.beforeMb,
      peak: row.peakMb,
      after: row.afterMb,
    })),
    readiness: report.readinessChecks,
    successful_mutations: report.successfulMutations,
    seeds: report.seeds,
    slowest_calls: report.slowest,
  };
}
