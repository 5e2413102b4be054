import { LatencyRecorder, type LatencySummary } from "./latency.js";

/** How a load runs: a closed loop of `concurrency` workers, each with one request in flight at a time. */
export interface LoadOptions {
  readonly concurrency: number;
  /** Run before the measured window and not counted: JIT, connection pools, caches. */
  readonly warmupMs: number;
  /** The measured window. */
  readonly durationMs: number;
  /** Called as the measured window opens and as it closes, e.g. to sample CPU counters. */
  readonly onWindowStart?: () => void;
  readonly onWindowEnd?: () => void;
}

/** What one worker does per iteration: `run` is timed; `settle` (cleaning up after it) is not. */
export interface Operation<T> {
  run(worker: number): Promise<T>;
  settle?(result: T, worker: number): Promise<void>;
}

/** Thrown by an operation that has nothing left to work on (no free seats, no buyers): its worker stops. */
export class SupplyExhausted extends Error {}

/** What a load measured in its window. */
export interface LoadResult {
  /** Operations that completed (successfully) inside the window. */
  readonly completed: number;
  readonly perSecond: number;
  readonly latency: LatencySummary;
  /** Operations that failed inside the window, and the first failure's message. */
  readonly failed: number;
  readonly firstFailure: string | undefined;
  readonly warmupCompleted: number;
  readonly warmupFailed: number;
  /** The window as it really ran: opened and closed by timers, so a few ms off the nominal duration. */
  readonly windowMs: number;
  /** Monotonic clock (CLOCK_MONOTONIC, what V8's CPU profiles use) at the window's ends, in µs. */
  readonly windowStartUs: number;
  readonly windowEndUs: number;
  /** The window closed early because the operation ran out of work (SupplyExhausted). */
  readonly isExhausted: boolean;
}

/** The monotonic clock in µs, comparable with the timestamps of a `--cpu-prof` profile on this machine. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * Runs `operation` in a closed loop: `concurrency` workers, each issuing its next request as soon as the
 * last one settles, for a warm-up and then a measured window. Only requests that complete while the window
 * is open count: their latencies (issue to completion, as the caller sees it, queueing in client pools
 * included) and their number, divided by the window's length, give the rate.
 */
export async function runLoad<T>(options: LoadOptions, operation: Operation<T>): Promise<LoadResult> {
  let phase: "warmup" | "measure" | "done" = "warmup";
  const latencies = new LatencyRecorder();
  let completed = 0;
  let failed = 0;
  let warmupCompleted = 0;
  let warmupFailed = 0;
  let firstFailure: string | undefined;
  let isExhausted = false;
  let openedAt = 0;
  let closedAt = 0;
  let windowStartUs = 0;
  let windowEndUs = 0;

  const open = () => {
    if (phase !== "warmup") return;
    phase = "measure";
    options.onWindowStart?.();
    windowStartUs = monotonicUs();
    openedAt = performance.now();
  };
  let resolveClosed = () => {};
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  const close = () => {
    if (phase !== "measure") return;
    phase = "done";
    closedAt = performance.now();
    windowEndUs = monotonicUs();
    options.onWindowEnd?.();
    resolveClosed();
  };
  const timers: NodeJS.Timeout[] = [];
  timers.push(
    setTimeout(() => {
      open();
      timers.push(setTimeout(close, options.durationMs));
    }, options.warmupMs),
  );

  async function worker(index: number): Promise<void> {
    while (phase !== "done") {
      const startedAt = performance.now();
      let result: T;
      try {
        result = await operation.run(index);
      } catch (error) {
        if (error instanceof SupplyExhausted) {
          isExhausted = true;
          if (phase === "warmup") throw new Error(`ran out of work during the warm-up: ${error.message}`);
          close();
          return;
        }
        if (phase === "measure") {
          failed++;
          firstFailure ??= error instanceof Error ? error.message : String(error);
        } else if (phase === "warmup") {
          warmupFailed++;
          firstFailure ??= `(warm-up) ${error instanceof Error ? error.message : String(error)}`;
        }
        continue;
      }
      const endedAt = performance.now();
      if (phase === "measure") {
        completed++;
        latencies.record(endedAt - startedAt);
      } else if (phase === "warmup") {
        warmupCompleted++;
      }
      await operation.settle?.(result, index);
    }
  }

  // A worker that throws (a failing `settle`, work running out in the warm-up) ends the whole load.
  const guarded = (index: number) =>
    worker(index).catch((error: unknown) => {
      phase = "done";
      resolveClosed();
      throw error;
    });
  try {
    await Promise.all([...Array.from({ length: options.concurrency }, (_, i) => guarded(i)), closed]);
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
  const windowMs = closedAt - openedAt;
  return {
    completed,
    perSecond: windowMs > 0 ? completed / (windowMs / 1000) : 0,
    latency: latencies.summary(),
    failed,
    firstFailure,
    warmupCompleted,
    warmupFailed,
    windowMs,
    windowStartUs,
    windowEndUs,
    isExhausted,
  };
}
