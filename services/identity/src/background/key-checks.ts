import { type BackgroundTask, type Logger, startPeriodic } from "@marquee/mesh";
import type { KeyRing } from "../tokens/key-ring.js";

/**
 * Checks the signing keys every `intervalMs` (SIGNING_KEY_CHECK_INTERVAL_MS): rotates when due, drops
 * expired keys, and picks up what another replica changed. A failed check (the database away) leaves
 * the keys as they were — the signing key keeps signing — and the next one tries again.
 */
export function startKeyChecks(keys: KeyRing, log: Logger, intervalMs: number): BackgroundTask {
  return startPeriodic(intervalMs, async () => {
    try {
      await keys.rotate();
    } catch (error) {
      log.warn({ err: error }, "signing key check failed; keeping the keys as they are");
    }
  });
}
