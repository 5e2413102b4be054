import { type BackgroundTask, startPeriodic } from "@marquee/mesh";
import { carryOut, unfinishedRefundIds } from "../domain/refunds.js";
import type { Ordering } from "../ordering.js";

/**
 * Finishes refunds that a crash or an outage left half done: money not yet asked of the payment service,
 * a refund the gateway has not settled yet, seats not yet back on sale. Every step is idempotent, so
 * replicas running it at once do no harm.
 */
export function startRefundFollower(ordering: Ordering, options: { readonly intervalMs: number }): BackgroundTask {
  return startPeriodic(options.intervalMs, async () => {
    try {
      for (const id of await unfinishedRefundIds(ordering, 50)) await carryOut(ordering, id);
    } catch (error) {
      ordering.log.warn({ err: error }, "following refunds failed; trying again at the next round");
    }
  });
}
