import { integer, loadConfigOrExit, string } from "@marquee/mesh";
import { fixedPorts, services } from "@marquee/scripts/ports";

/** The highest port of the stack before the offset. */
const highestPort = Math.max(
  ...services.flatMap((service) => [service.ports.grpc, service.ports.metrics]),
  ...Object.values(fixedPorts),
);

/** The run issue #27 asks for: at least this many requests write bench/results/fuzz.json and the README. */
export const completeRequests = 20_000;

/**
 * The fuzz run's knobs, all from the environment. The port offset's default, 15,470, is 10 above the holds
 * benchmark's and shares no port with any stack the tests start (10,000–15,460 in steps of 50 and 60 and
 * 100): no two ports of the table differ by a difference of those offsets.
 */
export function loadFuzzConfig() {
  const config = loadConfigOrExit("bench", {
    BENCH_FUZZ_REQUESTS: integer(
      `requests over every public RPC and the four protocols; fewer than ${completeRequests} only prints`,
      completeRequests,
      { min: 1, max: 10_000_000 },
    ),
    BENCH_FUZZ_SEED: string("the run's seed (a finding's, to repeat it); empty: a fresh one", ""),
    BENCH_FUZZ_CONCURRENCY: integer("callers sending side by side, each with its own connections", 8, {
      min: 1,
      max: 256,
    }),
    BENCH_FUZZ_MEMORY_GROWTH_MB: integer("a process ending this many MB above its start is a finding", 400, {
      min: 1,
    }),
    BENCH_FUZZ_PORT_OFFSET: integer("added to every port of the fuzz run's stack", 15_470, {
      min: 1,
      max: 65_535 - highestPort,
    }),
  });
  return {
    requests: config.BENCH_FUZZ_REQUESTS,
    seed: config.BENCH_FUZZ_SEED,
    concurrency: config.BENCH_FUZZ_CONCURRENCY,
    memoryGrowthLimitMb: config.BENCH_FUZZ_MEMORY_GROWTH_MB,
    portOffset: config.BENCH_FUZZ_PORT_OFFSET,
    /** Results and the README are rewritten only by a run of the size the issue asks for. */
    isComplete: config.BENCH_FUZZ_REQUESTS >= completeRequests,
  };
}

export type FuzzConfig = ReturnType<typeof loadFuzzConfig>;
