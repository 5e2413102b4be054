import { type BackgroundTask, type Database, type Logger, startPeriodic } from "@marquee/mesh";
import { pruneChallenges } from "../store/two-factor.js";

/** Deletes Login's expired second-factor challenges every `intervalMs`, so the table stays small. */
export function startChallengePruning(orm: Database, log: Logger, intervalMs: number): BackgroundTask {
  return startPeriodic(intervalMs, async () => {
    try {
      await pruneChallenges(orm, new Date());
    } catch (error) {
      log.warn({ err: error }, "pruning second-factor challenges failed; trying again later");
    }
  });
}
