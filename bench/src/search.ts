import { join } from "node:path";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  createClient,
  createLogger,
  type Database,
  integer,
  loadConfigOrExit,
  type MeshClient,
  openDatabase,
} from "@marquee/mesh";
import { Health } from "@marquee/proto/health/v1/health_pb.js";
import {
  type SearchEventsRequest,
  SearchEventsRequestSchema,
  SearchOrder,
  SearchService,
} from "@marquee/proto/marquee/search/v1/search_pb.js";
import { fixedPorts, serviceNamed, services } from "@marquee/scripts/ports";
import { repoRoot } from "@marquee/scripts/stack";
import { type ListingRecord, listingOf, saveListings } from "@marquee/search/listings";
import { search } from "@marquee/search/manifest";
import { benchEvent } from "./search/fixtures.js";
import {
  explainShape,
  readmePlans,
  readmeResults,
  resultsJson,
  type SearchRun,
  type ShapePlan,
  type ShapeRun,
} from "./search/report.js";
import { LatencyRecorder } from "./support/latency.js";
import { runLoad } from "./support/load.js";
import { cpuBetween, findPids, type ProcessGroup, snapshotCpu, withDescendants } from "./support/process-cpu.js";
import { formatWithBiome, replaceReadmeSection, writeResults } from "./support/results.js";
import { prepareBenchRun, startBenchStack } from "./support/stack.js";

const dataDir = join(repoRoot, ".data", "bench");
const say = (line: string) => process.stdout.write(`[bench] ${line}\n`);
const highestPort = Math.max(
  ...services.flatMap((service) => [service.ports.grpc, service.ports.metrics]),
  ...Object.values(fixedPorts),
);
const dayMs = 24 * 3600_000;

/** The benchmark's knobs, from the environment. */
function loadSearchConfig() {
  const config = loadConfigOrExit("bench", {
    BENCH_SEARCH_EVENTS: integer("listings loaded into the read model", 100_000, { min: 100, max: 2_000_000 }),
    BENCH_SEARCH_BATCH: integer("listings per saveListings call (one transaction)", 1000, { min: 1, max: 10_000 }),
    BENCH_DURATION_S: integer("measured window of each load, in seconds", 15, { min: 1, max: 600 }),
    BENCH_WARMUP_S: integer("unmeasured warm-up before each window, in seconds", 3, { min: 0, max: 120 }),
    BENCH_CONCURRENCY: integer("requests in flight (closed loop)", 8, { min: 1, max: 1024 }),
    BENCH_SEARCH_LIGHT_CONCURRENCY: integer(
      "requests in flight in a second, lightly loaded window of the same query set: latency without queueing",
      1,
      { min: 1, max: 1024 },
    ),
    BENCH_PORT_OFFSET: integer("added to every port of the stack", 15_460, { min: 1, max: 65_535 - highestPort }),
  });
  return {
    events: config.BENCH_SEARCH_EVENTS,
    batch: config.BENCH_SEARCH_BATCH,
    durationMs: config.BENCH_DURATION_S * 1000,
    warmupMs: config.BENCH_WARMUP_S * 1000,
    concurrency: config.BENCH_CONCURRENCY,
    lightConcurrency: config.BENCH_SEARCH_LIGHT_CONCURRENCY,
    portOffset: config.BENCH_PORT_OFFSET,
  };
}

export type SearchConfig = ReturnType<typeof loadSearchConfig>;

/** The query set: each shape a request, run in turn by every worker. */
function shapesOf(now: number): { name: string; request: SearchEventsRequest }[] {
  const window = (days: number) => ({
    startTime: timestampFromDate(new Date(now + dayMs)),
    endTime: timestampFromDate(new Date(now + days * dayMs)),
  });
  const shape = (name: string, request: MessageInitShape<typeof SearchEventsRequestSchema>) => ({
    name,
    request: create(SearchEventsRequestSchema, request),
  });
  return [
    shape("text", { query: "coldplay live" }),
    shape("typo", { query: "coldpaly" }),
    shape("filters", { category: "concert", city: "dhaka", ...window(60), orderBy: SearchOrder.START_TIME }),
    shape("price", {
      query: "warfaze",
      minPrice: { currencyCode: "BDT", amountMinor: 100_000n },
      maxPrice: { currencyCode: "BDT", amountMinor: 400_000n },
      orderBy: SearchOrder.PRICE_ASCENDING,
    }),
    shape("route", { originCity: "Jessore", destinationCity: "Kolkata", orderBy: SearchOrder.START_TIME }),
    shape("route_window", {
      originCity: "Dhaka",
      destinationCity: "Benapole",
      ...window(14),
      onlyAvailable: true,
      orderBy: SearchOrder.PRICE_ASCENDING,
    }),
    shape("browse", { orderBy: SearchOrder.START_TIME }),
  ];
}

/**
 * `npm run bench -- search`: starts the stack, loads BENCH_SEARCH_EVENTS listings into the search read model
 * in batches through its own write path (`saveListings`, what the consumer calls per event: not 100,000
 * RPCs nor events), captures PostgreSQL's plan of each query shape (EXPLAIN ANALYZE of the statements the
 * service runs), then measures the mixed query set over the search service's gRPC port, beside a baseline
 * of gRPC health checks on the same port in the same run; writes bench/results/search.json and the search
 * sections of bench/README.md.
 */
export async function runSearch(): Promise<void> {
  const config = loadSearchConfig();
  const machine = await prepareBenchRun(dataDir, say);
  const stack = await startBenchStack(dataDir, { portOffset: config.portOffset }, say);
  let run: SearchRun;
  try {
    const address = stack.services.find((service) => service.name === "search")?.address;
    if (address === undefined) throw new Error("the stack runs no search service");
    const log = createLogger("bench-search", "warn");
    const database = search.database;
    if (database === undefined) throw new Error("the search manifest declares no database");
    const orm = await openDatabase({ url: stack.databaseUrl, logger: log, ...database });
    try {
      const loadSeconds = await loadListings(orm, config);
      const now = Date.now();
      const shapes = shapesOf(now);
      say("capturing the plan of each query shape (EXPLAIN ANALYZE)…");
      const plans: ShapePlan[] = [];
      for (const shape of shapes) plans.push(await explainShape(orm, shape.name, shape.request, new Date(now)));
      const groups = processGroups(config.portOffset);
      const client = createClient(SearchService, { address, timeoutMs: 30_000 });
      const health = createClient(Health, { address, timeoutMs: 30_000 });
      try {
        say(`baseline: gRPC health checks, ${config.concurrency} in flight…`);
        const baseline = await measure(config, groups, {
          run: async () => {
            await health.check({});
          },
        });
        say(`baseline: ${Math.round(baseline.load.perSecond)}/s, p99 ${baseline.load.latency.p99Ms.toFixed(2)} ms`);
        say(`mixed query set (${shapes.map((s) => s.name).join(", ")}), ${config.concurrency} in flight…`);
        const mixed = await measureShapes(config, groups, config.concurrency, shapes, client);
        say(`mixed: ${Math.round(mixed.load.perSecond)} queries/s, p99 ${mixed.load.latency.p99Ms.toFixed(2)} ms`);
        say(`the same set lightly loaded, ${config.lightConcurrency} in flight…`);
        const light = await measureShapes(config, groups, config.lightConcurrency, shapes, client);
        say(`light: ${Math.round(light.load.perSecond)} queries/s, p99 ${light.load.latency.p99Ms.toFixed(2)} ms`);
        const shapeRuns: ShapeRun[] = shapes.map((shape, i) => ({
          name: shape.name,
          latency: mixed.perShape[i] as ShapeRun["latency"],
          lightLatency: light.perShape[i] as ShapeRun["latency"],
          plan: plans[i] as ShapePlan,
        }));
        run = { config, machine, loadSeconds, baseline, mixed, light, shapes: shapeRuns };
      } finally {
        client.close();
        health.close();
      }
    } finally {
      await orm.close();
    }
  } finally {
    say("stopping the stack…");
    await stack.stop();
  }
  const resultsPath = writeResults("search", resultsJson(run));
  replaceReadmeSection("search-results", readmeResults(run));
  replaceReadmeSection("search-plans", readmePlans(run));
  const isFormatted = formatWithBiome([resultsPath]);
  say(`wrote ${resultsPath} and the search sections of bench/README.md${isFormatted ? " (formatted by biome)" : ""}`);
}

/** Loads the corpus through the read model's own write path, in batches of one transaction each. */
async function loadListings(orm: Database, config: SearchConfig): Promise<number> {
  const started = performance.now();
  const now = Date.now();
  for (let from = 0; from < config.events; from += config.batch) {
    const listings: ListingRecord[] = [];
    for (let i = from; i < Math.min(config.events, from + config.batch); i++)
      listings.push(listingOf(benchEvent(i, now)));
    await orm.em.fork().transactional((em) => saveListings(em, listings));
    const done = from + listings.length;
    if (done % 10_000 === 0 || done === config.events) {
      const seconds = (performance.now() - started) / 1000;
      say(`loaded ${done} listings in ${seconds.toFixed(1)} s`);
    }
  }
  // What autovacuum does to tables just filled, done now rather than at its own time: statistics for the
  // planner, and the visibility map that lets index-only scans skip the heap.
  await orm.em.fork().execute("vacuum analyze listing, ride, word");
  return (performance.now() - started) / 1000;
}

/** The query set in turn by `concurrency` workers, with each shape's latencies inside the window. */
async function measureShapes(
  config: SearchConfig,
  groups: readonly ProcessGroup[],
  concurrency: number,
  shapes: readonly { name: string; request: SearchEventsRequest }[],
  client: MeshClient<typeof SearchService>,
) {
  const perShape = shapes.map(() => new LatencyRecorder());
  let isMeasuring = false;
  let turn = 0;
  const measured = await measure(
    { ...config, concurrency },
    groups,
    {
      async run() {
        const index = turn++ % shapes.length;
        const started = performance.now();
        await client.searchEvents((shapes[index] as (typeof shapes)[number]).request);
        if (isMeasuring) perShape[index]?.record(performance.now() - started);
      },
    },
    (measuring) => {
      isMeasuring = measuring;
    },
  );
  return { ...measured, perShape: perShape.map((recorder) => recorder.summary()) };
}

/** One closed-loop load with the CPU of each process group sampled at the window's ends. */
async function measure(
  config: SearchConfig,
  groups: readonly ProcessGroup[],
  operation: { run(): Promise<void> },
  onMeasuring: (isMeasuring: boolean) => void = () => undefined,
) {
  let before = snapshotCpu(groups);
  let after = before;
  const load = await runLoad(
    {
      concurrency: config.concurrency,
      warmupMs: config.warmupMs,
      durationMs: config.durationMs,
      onWindowStart: () => {
        before = snapshotCpu(groups);
        onMeasuring(true);
      },
      onWindowEnd: () => {
        after = snapshotCpu(groups);
        onMeasuring(false);
      },
    },
    operation,
  );
  return { load, cpu: cpuBetween(before, after) };
}

/** The processes this benchmark follows: itself, the search service, PostgreSQL (every backend). */
function processGroups(offset: number): ProcessGroup[] {
  const port = serviceNamed("search").ports.grpc + offset;
  const searchPids = findPids(["services/search/src/server.ts"], `PORT=${port}`);
  if (searchPids.length !== 1) throw new Error(`expected one search process of this stack, found ${searchPids.length}`);
  const [postmaster] = findPids(["postgres", "-D", join(dataDir, "postgres")]);
  if (postmaster === undefined) throw new Error("found no PostgreSQL of this stack");
  return [
    { name: "bench", pids: () => [process.pid], isThreaded: true },
    { name: "search", pids: () => searchPids, isThreaded: true },
    { name: "postgres", pids: () => withDescendants(postmaster) },
  ];
}
