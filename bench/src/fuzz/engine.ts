import type { Stack } from "@marquee/scripts/stack";

/**
 * What the benchmark reads of a run's results: `resultsOf` of e2e/support/fuzz/results.ts, the form
 * bench/results/fuzz.json keeps (the fuzzer owns the rest of it).
 */
export interface FuzzResults {
  readonly seed: number;
  readonly requests: number;
  readonly concurrency: number;
  readonly duration_s: number;
  readonly public_rpcs: number;
  readonly served_rpcs: readonly string[];
  readonly not_served_rpcs: readonly string[];
  readonly outcomes: readonly string[];
  readonly http_statuses: readonly string[];
  readonly by_protocol: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly http_by_protocol: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly by_rpc: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly finding_count: number;
  readonly findings: readonly {
    readonly class: string;
    readonly summary: string;
    readonly count: number;
    readonly rpcs: readonly string[];
    readonly protocols: readonly string[];
    readonly reproducer?: {
      readonly protocol: string;
      readonly rpc: string;
      readonly tokenKind: string;
      readonly input: string;
      readonly bodyBase64: string;
      readonly bodyBytes: number;
      readonly answer: { readonly outcome: string; readonly httpStatus?: number; readonly message: string };
    };
  }[];
  readonly memory_growth_limit_mb: number;
  readonly memory_mb: readonly {
    readonly process: string;
    readonly measure: string;
    readonly before: number;
    readonly peak: number;
    readonly after: number;
  }[];
  readonly readiness: { readonly ok: number; readonly notOk: number; readonly slow: number };
  readonly successful_mutations: number;
  readonly seeds: readonly { readonly label: string; readonly role: string; readonly fate: string }[];
}

/** The report `runFuzz` returns, opaque here: the engine turns it into text and results. */
export type FuzzReport = { readonly findingCount: number };

/** The part of the fuzz engine (e2e/support/fuzz/index.ts) the benchmark calls. */
export interface FuzzEngine {
  runFuzz(options: {
    readonly stack: Stack;
    readonly requests: number;
    readonly seed: number;
    readonly concurrency: number;
    readonly say?: (line: string) => void;
    readonly memoryGrowthLimitMb?: number;
  }): Promise<FuzzReport>;
  summaryText(report: FuzzReport): string;
  resultsOf(report: FuzzReport): FuzzResults;
  seedOf(value?: string): number;
}

/**
 * The fuzz engine, loaded from e2e/support/fuzz by path at run time. It is e2e's code (the short run of
 * `npm test` uses it too); bench's tsconfig does not reference e2e's project, and a static import would
 * compile e2e's sources into bench (TS6059/TS6307, `tsc -b` writing .js beside them). With a reference to
 * `../e2e` in bench/tsconfig.json this file becomes one `import`, and the types above its own.
 */
export async function loadFuzzEngine(): Promise<FuzzEngine> {
  const path = "../../../e2e/support/fuzz/index.js";
  return (await import(path)) as FuzzEngine;
}
