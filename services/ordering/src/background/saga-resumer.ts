import { type BackgroundTask, type Logger, startPeriodic } from "@marquee/mesh";
import type { CheckoutSaga } from "../domain/checkout-saga.js";

/**
 * Takes up checkouts nobody is running: those whose step waits for an upstream to come back, and those
 * of a process that died mid-saga (its lease lapsed). Every replica runs one; the lease keeps each order
 * with one runner.
 */
export function startSagaResumer(
  saga: CheckoutSaga,
  log: Logger,
  options: { readonly intervalMs: number },
): BackgroundTask {
  const periodic = startPeriodic(options.intervalMs, async () => {
    try {
      const resumed = await saga.resumeDue();
      if (resumed > 0) log.info({ resumed }, "resumed checkouts");
    } catch (error) {
      log.warn({ err: error }, "resuming checkouts failed; trying again at the next scan");
    }
  });
  return {
    async stop() {
      await periodic.stop();
      await saga.drain();
    },
  };
}
