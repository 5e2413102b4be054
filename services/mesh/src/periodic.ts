import type { BackgroundTask } from "./run-service.js";

/**
 * A background task that runs `round` again and again, `intervalMs` after each round ends (never two at
 * once), until stopped; `stop` waits for the round in progress. A round's failure is `round`'s to log:
 * it should catch what it expects and let the next round retry.
 */
export function startPeriodic(intervalMs: number, round: () => Promise<void>): BackgroundTask {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const next = () => {
    if (stopped) return;
    current = round()
      .catch(() => {})
      .finally(() => {
        if (!stopped) timer = setTimeout(next, intervalMs);
      });
  };
  next();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
