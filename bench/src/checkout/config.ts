import { boolean, integer, loadConfigOrExit } from "@marquee/mesh";
import { fixedPorts, services } from "@marquee/scripts/ports";

/** The highest port of the stack before the offset. */
const highestPort = Math.max(
  ...services.flatMap((service) => [service.ports.grpc, service.ports.metrics]),
  ...Object.values(fixedPorts),
);

/**
 * The checkout benchmark's knobs, all from the environment. `BENCH_DURATION_S`, `BENCH_WARMUP_S`,
 * `BENCH_CONCURRENCY` and `BENCH_CPU_PROFILE` mean what they mean in the holds benchmark, with this
 * benchmark's defaults (about 2½ minutes in all, the stack's start included). The port offset's default,
 * 15,455, shares no port with the holds (15,460) and fuzz (15,470) benchmarks' stacks nor with any stack the
 * tests start (10,000–15,475 in steps of 25, 50, 60, 75 and 100): no two ports of the table differ by the
 * difference of two of those offsets.
 */
export function loadCheckoutConfig() {
  const config = loadConfigOrExit("bench", {
    BENCH_DURATION_S: integer("measured window of the checkouts, in seconds", 20, { min: 1, max: 600 }),
    BENCH_WARMUP_S: integer("unmeasured warm-up before each window, in seconds", 5, { min: 0, max: 120 }),
    BENCH_CONCURRENCY: integer("buyers checking out side by side (closed loop), and holders in the baseline", 32, {
      min: 1,
      max: 2048,
    }),
    BENCH_CHECKOUT_BASELINE_S: integer("measured window of the baseline (HoldSeats alone), in seconds", 10, {
      min: 1,
      max: 600,
    }),
    BENCH_CHECKOUT_MAX_PER_S: integer(
      "the fastest checkout rate provisioned for: seats and buyers are sized for it over warm-up + window",
      1000,
      { min: 10, max: 100_000 },
    ),
    BENCH_CHECKOUT_BASELINE_MAX_PER_S: integer("the same for the baseline's holds", 2000, { min: 10, max: 100_000 }),
    BENCH_CHECKOUT_PORT_OFFSET: integer("added to every port of the checkout benchmark's stack", 15_455, {
      min: 1,
      max: 65_535 - highestPort,
    }),
    BENCH_CPU_PROFILE: boolean(
      "profile every Node process of the stack with --cpu-prof (the figures include its cost)",
      true,
    ),
  });
  const warmupMs = config.BENCH_WARMUP_S * 1000;
  const durationMs = config.BENCH_DURATION_S * 1000;
  const baselineMs = config.BENCH_CHECKOUT_BASELINE_S * 1000;
  return {
    durationMs,
    warmupMs,
    baselineMs,
    concurrency: config.BENCH_CONCURRENCY,
    portOffset: config.BENCH_CHECKOUT_PORT_OFFSET,
    isProfiling: config.BENCH_CPU_PROFILE,
    /** Checkouts to provision seats and buyers for. */
    checkoutsToProvision: Math.ceil((config.BENCH_CHECKOUT_MAX_PER_S * (warmupMs + durationMs)) / 1000),
    /** Baseline holds to provision seats and buyers for. */
    holdsToProvision: Math.ceil((config.BENCH_CHECKOUT_BASELINE_MAX_PER_S * (warmupMs + baselineMs)) / 1000),
  };
}

export type CheckoutConfig = ReturnType<typeof loadCheckoutConfig>;
