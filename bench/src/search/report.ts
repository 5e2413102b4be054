import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Database } from "@marquee/mesh";
import type { SearchEventsRequest } from "@marquee/proto/marquee/search/v1/search_pb.js";
import { countResults, searchPage } from "@marquee/search/search-query";
import { filtersOf, orders } from "@marquee/search/search-request";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { LatencySummary } from "../support/latency.js";
import type { LoadResult } from "../support/load.js";
import type { CpuUse } from "../support/process-cpu.js";
import { formatNumber, type MachineInfo, markdownTable } from "../support/results.js";

/** One load's figures. */
export interface Measured {
  readonly load: LoadResult;
  readonly cpu: CpuUse;
}

/** One query shape: its latencies inside the mixed window and the plans of its statements. */
export interface ShapeRun {
  readonly name: string;
  readonly latency: LatencySummary;
  /** Its latencies in the lightly loaded window. */
  readonly lightLatency: LatencySummary;
  readonly plan: ShapePlan;
}

/** The statements one SearchEvents of a shape runs, each with its EXPLAIN ANALYZE. */
export interface ShapePlan {
  readonly request: string;
  readonly statements: { readonly label: string; readonly sql: string; readonly plan: string }[];
}

export interface SearchRun {
  readonly config: {
    events: number;
    batch: number;
    durationMs: number;
    warmupMs: number;
    concurrency: number;
    lightConcurrency: number;
  };
  readonly machine: MachineInfo;
  readonly loadSeconds: number;
  readonly baseline: Measured;
  readonly mixed: Measured;
  /** The same query set with `lightConcurrency` in flight. */
  readonly light: Measured;
  readonly shapes: readonly ShapeRun[];
}

/** What a statement of the service is, from its text. */
function labelOf(sql: string): string {
  if (sql.includes("from word")) return "typo candidates (lexicon, trigram)";
  if (sql.includes("group by category")) return "category facets (and the total without a category filter)";
  if (sql.includes("select 1 from")) return "total with the category filter";
  return "the page";
}

/**
 * Runs what SearchEvents runs for `request` (its filter resolution, the first page, the counts) with a
 * recording EntityManager, then EXPLAIN ANALYZE of each statement recorded: the plans of exactly the SQL the
 * service sends, with the same parameters.
 */
export async function explainShape(
  orm: Database,
  name: string,
  request: SearchEventsRequest,
  now: Date,
): Promise<ShapePlan> {
  const em = orm.em.fork();
  const recorded: { sql: string; params: unknown[] }[] = [];
  const recording = new Proxy(em, {
    get(target, property, receiver) {
      if (property === "execute") {
        return async (sql: string, params: unknown[] = []) => {
          recorded.push({ sql, params });
          return await target.execute(sql, params);
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as EntityManager;
  const asked = request.startTime ? timestampDate(request.startTime) : now;
  const filters = await filtersOf(recording, request, asked > now ? asked : now);
  await searchPage(recording, filters, orders[request.orderBy], undefined, 20);
  await countResults(recording, filters);
  const statements = [];
  for (const { sql, params } of recorded) {
    if (sql.trimStart().startsWith("explain")) continue;
    const rows = await em.execute<{ "QUERY PLAN": string }[]>(`explain (analyze, buffers) ${sql}`, params);
    statements.push({
      label: labelOf(sql),
      sql: sql.replace(/\s+/g, " ").trim(),
      plan: rows.map((row) => row["QUERY PLAN"]).join("\n"),
    });
  }
  void name;
  return { request: describe(request), statements };
}

/** A request's set fields, for the README. */
function describe(request: SearchEventsRequest): string {
  const fields: string[] = [];
  if (request.query) fields.push(`query "${request.query}"`);
  if (request.category) fields.push(`category ${request.category}`);
  if (request.city) fields.push(`city ${request.city}`);
  if (request.originCity) fields.push(`origin ${request.originCity}`);
  if (request.destinationCity) fields.push(`destination ${request.destinationCity}`);
  if (request.endTime) fields.push("a date window");
  if (request.minPrice || request.maxPrice) fields.push("a price range");
  if (request.onlyAvailable) fields.push("only available");
  fields.push(`order ${request.orderBy}`);
  return fields.join(", ");
}

const cpuMsPerOperation = (measured: Measured, group: string) =>
  measured.load.perSecond > 0 ? ((measured.cpu.cores[group] ?? 0) * 1000) / measured.load.perSecond : 0;
const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

/** bench/results/search.json. */
export function resultsJson(run: SearchRun) {
  return {
    events: run.config.events,
    qps: round(run.mixed.load.perSecond, 1),
    p99_ms: round(run.mixed.load.latency.p99Ms),
    p50_ms: round(run.mixed.load.latency.p50Ms),
    max_ms: round(run.mixed.load.latency.maxMs),
    failed: run.mixed.load.failed,
    goal_p99_ms: 50,
    is_goal_met: run.mixed.load.latency.p99Ms < 50,
    shapes: Object.fromEntries(
      run.shapes.map((shape) => [
        shape.name,
        {
          count: shape.latency.count,
          p50_ms: round(shape.latency.p50Ms),
          p99_ms: round(shape.latency.p99Ms),
          light_p50_ms: round(shape.lightLatency.p50Ms),
          light_p99_ms: round(shape.lightLatency.p99Ms),
        },
      ]),
    ),
    light_concurrency: run.config.lightConcurrency,
    light_qps: round(run.light.load.perSecond, 1),
    light_p50_ms: round(run.light.load.latency.p50Ms),
    light_p99_ms: round(run.light.load.latency.p99Ms),
    light_is_goal_met: run.light.load.latency.p99Ms < 50,
    baseline_health_qps: round(run.baseline.load.perSecond, 1),
    baseline_health_p99_ms: round(run.baseline.load.latency.p99Ms),
    qps_ratio_to_health: round(run.mixed.load.perSecond / Math.max(1, run.baseline.load.perSecond)),
    cpu_ms_per_query: {
      search: round(cpuMsPerOperation(run.mixed, "search")),
      postgres: round(cpuMsPerOperation(run.mixed, "postgres")),
      bench: round(cpuMsPerOperation(run.mixed, "bench")),
      machine: round((run.mixed.cpu.machineCores * 1000) / Math.max(1, run.mixed.load.perSecond)),
    },
    cpu_ms_per_health_check: {
      search: round(cpuMsPerOperation(run.baseline, "search")),
      machine: round((run.baseline.cpu.machineCores * 1000) / Math.max(1, run.baseline.load.perSecond)),
    },
    other_cores_during_window: round(run.mixed.cpu.otherCores, 2),
    load_seconds: round(run.loadSeconds, 1),
    load_listings_per_s: round(run.config.events / run.loadSeconds, 0),
    batch: run.config.batch,
    concurrency: run.config.concurrency,
    duration_s: run.config.durationMs / 1000,
    warmup_s: run.config.warmupMs / 1000,
    machine: run.machine,
  };
}

/** The results section of bench/README.md. */
export function readmeResults(run: SearchRun): string {
  const json = resultsJson(run);
  const rows = [
    [
      `mixed SearchEvents, ${run.config.concurrency} in flight`,
      formatNumber(json.qps),
      json.p50_ms.toFixed(2),
      json.p99_ms.toFixed(2),
    ],
    ...run.shapes.map((shape) => [
      `↳ ${shape.name}`,
      "",
      shape.latency.p50Ms.toFixed(2),
      shape.latency.p99Ms.toFixed(2),
    ]),
    [
      `mixed SearchEvents, ${run.config.lightConcurrency} in flight`,
      formatNumber(json.light_qps),
      json.light_p50_ms.toFixed(2),
      json.light_p99_ms.toFixed(2),
    ],
    ...run.shapes.map((shape) => [
      `↳ ${shape.name}`,
      "",
      shape.lightLatency.p50Ms.toFixed(2),
      shape.lightLatency.p99Ms.toFixed(2),
    ]),
    [
      "baseline: gRPC health check",
      formatNumber(json.baseline_health_qps),
      run.baseline.load.latency.p50Ms.toFixed(2),
      json.baseline_health_p99_ms.toFixed(2),
    ],
  ];
  return [
    `Run of ${run.machine.date} on ${run.machine.cpus} CPUs (${run.machine.cpuModel}), load average before ${run.machine.loadAverage.join(" / ")}: ${formatNumber(run.config.events)} listings loaded in ${json.load_seconds} s (${formatNumber(json.load_listings_per_s)}/s, batches of ${run.config.batch}), ${run.config.concurrency} queries in flight, ${run.config.durationMs / 1000} s measured after ${run.config.warmupMs / 1000} s of warm-up.`,
    "",
    markdownTable(["load", "queries/s", "p50 ms", "p99 ms"], rows, ["left", "right", "right", "right"]),
    "",
    `Goal p99 < 50 ms: **${json.is_goal_met ? "met" : "not met"}** with ${run.config.concurrency} in flight (${json.p99_ms.toFixed(2)} ms), **${json.light_is_goal_met ? "met" : "not met"}** with ${run.config.lightConcurrency} (${json.light_p99_ms.toFixed(2)} ms). Mixed queries/s are ${json.qps_ratio_to_health} of the health checks'. CPU per query: search process ${json.cpu_ms_per_query.search} ms, PostgreSQL ${json.cpu_ms_per_query.postgres} ms, the load generator ${json.cpu_ms_per_query.bench} ms, the machine ${json.cpu_ms_per_query.machine} ms; others' processes used ${json.other_cores_during_window} cores during the window. ${json.failed} queries failed.`,
  ].join("\n");
}

/** The plans section of bench/README.md: each shape's statements and PostgreSQL's EXPLAIN ANALYZE. */
export function readmePlans(run: SearchRun): string {
  return run.shapes
    .map((shape) =>
      [
        `#### ${shape.name}: ${shape.plan.request}`,
        "",
        ...shape.plan.statements.flatMap((statement) => [`${statement.label}:`, "", "```", statement.plan, "```", ""]),
      ].join("\n"),
    )
    .join("\n");
}
