import { boolean, integer, loadConfigOrExit, string } from "@marquee/mesh";
import { fixedPorts, services } from "@marquee/scripts/ports";

/** The highest port of the stack before the offset. */
const highestPort = Math.max(
  ...services.flatMap((service) => [service.ports.grpc, service.ports.metrics]),
  ...Object.values(fixedPorts),
);

/** Every variant of the holds benchmark, in the order they run. */
export const variantKeys = ["raw_lua", "grpc", "bff", "trip_grpc", "pg_for_update", "pg_async_commit"] as const;

/** One variant's key, also the prefix of its figures in holds.json (`grpc_per_s`, `grpc_p99_ms`). */
export type VariantKey = (typeof variantKeys)[number];

/**
 * The benchmark's knobs, all from the environment. Every port of the stack (the manifests' and the fixed
 * ones) plus the offset must stay below 65,536, which bounds the offset. The default, 15,460, shares no port (service, metrics, BFF,
 * PostgreSQL, Redis) with a stack at any offset the tests use — 10,000–13,900 (scripts' launcher test),
 * 14,000–15,400 (e2e/bff.test.ts) and 14,050–15,450 (e2e/inventory-race.test.ts), all in steps of 100 —
 * and puts the service ports above the ephemeral range (32768–60999).
 */
export function loadHoldsConfig() {
  const config = loadConfigOrExit("bench", {
    BENCH_DURATION_S: integer("measured window of each variant, in seconds", 10, { min: 1, max: 600 }),
    BENCH_WARMUP_S: integer("unmeasured warm-up before each window, in seconds", 3, { min: 0, max: 120 }),
    BENCH_CONCURRENCY: integer("requests in flight in every variant (closed loop)", 64, { min: 1, max: 2048 }),
    BENCH_CONNECTIONS: integer("Redis connections (raw Lua) and gRPC channels (gRPC variants)", 4, {
      min: 1,
      max: 64,
    }),
    BENCH_PG_POOL: integer("PostgreSQL connections of the SELECT … FOR UPDATE baseline", 16, { min: 1, max: 200 }),
    BENCH_MAX_HOLDS_PER_S: integer(
      "the fastest rate provisioned for: seats and buyers per variant are sized for it over warm-up + window",
      3000,
      { min: 100, max: 1_000_000 },
    ),
    BENCH_PORT_OFFSET: integer("added to every port of the stack", 15_460, { min: 1, max: 65_535 - highestPort }),
    BENCH_CPU_PROFILE: boolean("profile every service process with --cpu-prof (the figures include its cost)", true),
    BENCH_VARIANTS: string(`comma-separated subset of ${variantKeys.join(", ")}; a subset only prints`, ""),
  });
  const requested = config.BENCH_VARIANTS.split(",")
    .map((key) => key.trim())
    .filter((key) => key !== "");
  const unknown = requested.filter((key) => !(variantKeys as readonly string[]).includes(key));
  if (unknown.length > 0) throw new Error(`BENCH_VARIANTS names unknown variants: ${unknown.join(", ")}`);
  const variants = requested.length === 0 ? [...variantKeys] : variantKeys.filter((key) => requested.includes(key));
  return {
    durationMs: config.BENCH_DURATION_S * 1000,
    warmupMs: config.BENCH_WARMUP_S * 1000,
    concurrency: config.BENCH_CONCURRENCY,
    connections: config.BENCH_CONNECTIONS,
    pgPoolSize: config.BENCH_PG_POOL,
    maxHoldsPerSecond: config.BENCH_MAX_HOLDS_PER_S,
    portOffset: config.BENCH_PORT_OFFSET,
    isProfiling: config.BENCH_CPU_PROFILE,
    variants,
    /** Results and the README are rewritten only by a run of every variant. */
    isComplete: variants.length === variantKeys.length,
  };
}

export type HoldsConfig = ReturnType<typeof loadHoldsConfig>;
