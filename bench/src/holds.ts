import { existsSync, readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { createClient } from "@marquee/mesh";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { fixedPorts, serviceNamed } from "@marquee/scripts/ports";
import { repoRoot, type Stack } from "@marquee/scripts/stack";
import { Redis } from "ioredis";
import { type HoldsConfig, loadHoldsConfig, type VariantKey } from "./holds/config.js";
import {
  type HoldsRun,
  type ProfileReport,
  readmeProfile,
  readmeResults,
  resultsJson,
  summaryText,
  type VariantRun,
} from "./holds/report.js";
import type { SigningKey } from "./holds/supply.js";
import type { BenchContext, PreparedVariant, Variant } from "./holds/variant.js";
import { bff } from "./holds/variants/bff.js";
import { grpc } from "./holds/variants/grpc.js";
import { pgAsyncCommit, pgForUpdate } from "./holds/variants/pg-for-update.js";
import { rawLua } from "./holds/variants/raw-lua.js";
import { tripGrpc } from "./holds/variants/trip-grpc.js";
import { profileMentions, readProfile, summariseProfile } from "./support/cpu-profile.js";
import { runLoad } from "./support/load.js";
import { cpuBetween, findPids, type ProcessGroup, snapshotCpu, withDescendants } from "./support/process-cpu.js";
import { benchRoot, formatWithBiome, replaceReadmeSection, writeResults } from "./support/results.js";
import { prepareBenchRun, profileDirOf, startBenchStack } from "./support/stack.js";

/** Every variant, in the order of `variantKeys`. */
const variants: Record<VariantKey, Variant> = {
  raw_lua: rawLua,
  grpc,
  bff,
  trip_grpc: tripGrpc,
  pg_for_update: pgForUpdate,
  pg_async_commit: pgAsyncCommit,
};

/** Where the benchmark's stack keeps its data; wiped at the start of every run. */
const dataDir = join(repoRoot, ".data", "bench");
const profileDir = profileDirOf(dataDir);

const say = (line: string) => process.stdout.write(`[bench] ${line}\n`);

/** A pause between preparing and the first window: background loading and the GC that follows it end. */
const settleMs = 10_000;

/**
 * `npm run bench -- holds`: starts the stack (embedded PostgreSQL, redis-server, every service and the BFF
 * as real processes) and measures a 4-seat hold five ways, plus the PostgreSQL baseline with asynchronous
 * commit; prints the figures, ratios, goals and the inventory's CPU profile, and (for a run of every
 * variant) writes bench/results/holds.json and the holds sections of bench/README.md.
 */
export async function runHolds(): Promise<void> {
  const config = loadHoldsConfig();
  const machine = await prepareBenchRun(dataDir, say);
  const stack = await startBenchStack(dataDir, config, say);
  const runs: VariantRun[] = [];
  let groups: ProcessGroup[] = [];
  const prepared: [Variant, PreparedVariant][] = [];
  try {
    groups = processGroups(config.portOffset);
    const context = await contextOf(config, stack);
    // Everything is created before the first window opens, so no window shares the machine with catalog
    // copying seat maps, the inventory loading events, or PostgreSQL inserting rows.
    for (const key of config.variants) {
      say(`${key}: preparing…`);
      prepared.push([variants[key], await variants[key].prepare(context)]);
    }
    context.catalog.close();
    say(`prepared; letting the stack settle for ${settleMs / 1000} s…`);
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    for (const [variant, ready] of prepared) runs.push(await measure(variant, ready, context, groups));
  } finally {
    for (const [variant, ready] of prepared) {
      await ready.close().catch((error: unknown) => say(`${variant.key}: closing failed: ${String(error)}`));
    }
    say("stopping the stack…");
    await stack.stop();
  }

  const { profiles, note } = config.isProfiling
    ? profilesOf(groups, runs)
    : { profiles: [], note: "CPU profiling was off (BENCH_CPU_PROFILE=false)." };
  const run: HoldsRun = {
    config,
    machine,
    loadAverageAfter: loadavg().map((load) => Math.round(load * 100) / 100),
    runs,
    profiles,
    profileNote: note,
  };
  process.stdout.write(`\n${summaryText(run)}\n\n`);
  if (!config.isComplete) {
    say("a subset of the variants ran: bench/results/holds.json and bench/README.md are left as they were");
    return;
  }
  const resultsPath = writeResults("holds", resultsJson(run));
  replaceReadmeSection("holds-results", readmeResults(run));
  replaceReadmeSection("holds-profile", readmeProfile(run));
  const isFormatted = formatWithBiome([resultsPath, join(benchRoot, "README.md")]);
  say(`wrote ${resultsPath} and the holds sections of bench/README.md${isFormatted ? " (formatted by biome)" : ""}`);
}

const portOf = (name: string) => serviceNamed(name).ports.grpc;

/** The processes of this stack, told apart from other stacks on the machine by their ports. */
function processGroups(offset: number): ProcessGroup[] {
  const one = (name: string, parts: string[], env?: string): ProcessGroup => {
    const pids = findPids(parts, env);
    if (pids.length !== 1) throw new Error(`expected one ${name} process of this stack, found ${pids.length}`);
    return { name, pids: () => pids };
  };
  const [postmaster] = findPids(["postgres", "-D", join(dataDir, "postgres")]);
  if (postmaster === undefined) throw new Error("found no PostgreSQL of this stack");
  return [
    { name: "bench", pids: () => [process.pid], isThreaded: true },
    {
      ...one("inventory", ["services/inventory/src/server.ts"], `PORT=${portOf("inventory") + offset}`),
      isThreaded: true,
    },
    { ...one("bff", ["bff/src/server.ts"], `PORT=${fixedPorts.bff + offset}`), isThreaded: true },
    one("catalog", ["services/catalog/src/server.ts"], `PORT=${portOf("catalog") + offset}`),
    { ...one("redis", ["redis-server", `:${fixedPorts.redis + offset}`]), isThreaded: true },
    { name: "postgres", pids: () => withDescendants(postmaster) },
  ];
}

async function contextOf(config: HoldsConfig, stack: Stack): Promise<BenchContext> {
  const addressOf = (name: string) => {
    const service = stack.services.find((s) => s.name === name);
    if (service === undefined) throw new Error(`the stack runs no ${name}`);
    return service.address;
  };
  const signingKey = JSON.parse(readFileSync(join(dataDir, "keys", "signing-key.json"), "utf8")) as SigningKey;
  return {
    config,
    stack,
    signingKey,
    inventoryAddress: addressOf("inventory"),
    catalog: createClient(CatalogService, { address: addressOf("catalog"), timeoutMs: 300_000 }),
    holdsToProvision: Math.ceil((config.maxHoldsPerSecond * (config.warmupMs + config.durationMs)) / 1000),
    say,
  };
}

/** Runs a prepared variant's load, with CPU sampled at the window's ends. */
async function measure(
  variant: Variant,
  prepared: PreparedVariant,
  context: BenchContext,
  groups: readonly ProcessGroup[],
): Promise<VariantRun> {
  const redis = new Redis(context.stack.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const forksBefore = await totalForks(redis);
    let before = snapshotCpu(groups);
    let after = before;
    say(`${variant.key}: ${context.config.warmupMs / 1000} s warm-up, ${context.config.durationMs / 1000} s measured…`);
    const load = await runLoad(
      {
        concurrency: context.config.concurrency,
        warmupMs: context.config.warmupMs,
        durationMs: context.config.durationMs,
        onWindowStart: () => {
          before = snapshotCpu(groups);
        },
        onWindowEnd: () => {
          after = snapshotCpu(groups);
        },
      },
      prepared.operation,
    );
    const redisForks = (await totalForks(redis)) - forksBefore;
    say(`${variant.key}: ${Math.round(load.perSecond)} holds/s, p99 ${load.latency.p99Ms.toFixed(2)} ms`);
    return {
      key: variant.key,
      title: variant.title,
      setup: prepared.setup,
      load,
      cpu: cpuBetween(before, after),
      redisForks,
    };
  } finally {
    await redis.quit();
  }
}

async function totalForks(redis: Redis): Promise<number> {
  const match = /total_forks:(\d+)/.exec(await redis.info("stats"));
  return Number(match?.[1] ?? 0);
}

/**
 * The profiles the services wrote on exit, cut to the windows that matter: the inventory during the gRPC
 * and trip windows, the BFF during its window. Profiles are found by pid (in the file name) and checked
 * to be the right program.
 */
function profilesOf(
  groups: readonly ProcessGroup[],
  runs: readonly VariantRun[],
): { profiles: ProfileReport[]; note: string | undefined } {
  if (!existsSync(profileDir)) return { profiles: [], note: `no profiles were written to ${profileDir}` };
  const files = readdirSync(profileDir).filter((name) => name.endsWith(".cpuprofile"));
  // CPU.<date>.<time>.<pid>.<thread>.<sequence>.cpuprofile; thread 0 is the main thread (a process that
  // registers module hooks, as telemetry does, also profiles the hooks' worker thread).
  const fileOf = (process: "inventory" | "bff") => {
    const pid = String(groups.find((g) => g.name === process)?.pids()[0]);
    const name = files.find((file) => file.split(".")[3] === pid && file.split(".")[4] === "0");
    return name === undefined ? undefined : join(profileDir, name);
  };
  const wanted: { process: "inventory" | "bff"; variant: VariantKey; fragment: string; top: number }[] = [
    { process: "inventory", variant: "grpc", fragment: "services/inventory/src/server.ts", top: 15 },
    { process: "bff", variant: "bff", fragment: "bff/src/server.ts", top: 15 },
    { process: "inventory", variant: "trip_grpc", fragment: "services/inventory/src/server.ts", top: 10 },
  ];
  const profiles: ProfileReport[] = [];
  const missing: string[] = [];
  for (const want of wanted) {
    const run = runs.find((r) => r.key === want.variant);
    if (run === undefined) continue;
    const file = fileOf(want.process);
    if (file === undefined) {
      missing.push(`${want.process} (no profile file for its pid in ${profileDir})`);
      continue;
    }
    const profile = readProfile(file);
    if (!profileMentions(profile, want.fragment)) {
      missing.push(`${want.process} (${file} is not its profile)`);
      continue;
    }
    if (run.load.windowStartUs < profile.startTime || run.load.windowEndUs > profile.endTime) {
      missing.push(`${want.process} (its profile does not cover the ${want.variant} window)`);
      continue;
    }
    profiles.push({
      process: want.process,
      variant: want.variant,
      file,
      summary: summariseProfile(profile, {
        fromUs: run.load.windowStartUs,
        toUs: run.load.windowEndUs,
        top: want.top,
        repoRoot,
      }),
    });
  }
  return { profiles, note: missing.length > 0 ? `Profiles missing: ${missing.join("; ")}` : undefined };
}
