/** Node's timers overflow past this many milliseconds (about 24.8 days) and would fire at once. */
const maxDelayMs = 2_147_483_647;

/**
 * The gateway's scheduled work (authorization lapses, refund settlements, webhook retries), unref'd so it
 * never keeps a process alive, and cancelled all at once when the gateway closes.
 */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();
  private isStopped = false;

  /** Runs `step` after `delayMs`; nothing once stopped. */
  after(delayMs: number, step: () => void): void {
    if (this.isStopped) return;
    const delay = Math.max(0, Math.min(delayMs, maxDelayMs));
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      if (delayMs > maxDelayMs) this.after(delayMs - maxDelayMs, step);
      else step();
    }, delay);
    timer.unref();
    this.pending.add(timer);
  }

  stop(): void {
    this.isStopped = true;
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}
