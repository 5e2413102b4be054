import { type BackgroundTask, type Logger, startPeriodic } from "@marquee/mesh";
import type { Throttle } from "../store/throttle.js";

/** Deletes throttle events older than the window, every `intervalMs`, so the table stays small. */
export function startThrottlePruning(throttle: Throttle, log: Logger, intervalMs: number): BackgroundTask {
  return startPeriodic(intervalMs, async () => {
    try {
      await throttle.prune();
    } catch (error) {
      log.warn({ err: error }, "pruning throttle events failed; trying again later");
    }
  });
}
