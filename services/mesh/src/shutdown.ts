import type { Logger } from "./logger.js";

/** Steps every graceful shutdown runs after the process's own: telemetry registers its flush here. */
const finalSteps: Array<() => Promise<void>> = [];

/** Registers a step to run last in every graceful shutdown of this process. */
export function atShutdown(step: () => Promise<void>): void {
  finalSteps.push(step);
}

/**
 * The one shutdown every Marquee process (services and the BFF) performs: on SIGTERM or SIGINT, `stop`
 * runs once — the process's own order that loses nothing: report NOT_SERVING, drain, stop background work,
 * close pools — then the registered final steps (flushing telemetry), then the process exits 0, or 1 when
 * a step failed. Returns the stop, for tests and callers that stop without a signal (no exit then).
 */
export function stopGracefullyOnSignals(log: Logger, stop: () => Promise<void>): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const stopOnce = () => {
    stopping ??= (async () => {
      await stop();
      for (const step of finalSteps) await step();
      log.info("stopped");
    })();
    return stopping;
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      stopOnce().then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error }, "shutdown failed");
          process.exit(1);
        },
      );
    });
  }
  return stopOnce;
}
