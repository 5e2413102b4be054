/** A wait that stopping cuts short: the loops of the relay and the consumer sleep through it. */
export interface Pause {
  /** Resolves after `ms`, or at once when `interrupt` was called, before or during the wait. */
  wait(ms: number): Promise<void>;
  /** Ends the current wait and every later one at once; called when the loop is stopping. */
  interrupt(): void;
}

/** Creates a `Pause`; used by loops that poll and must stop promptly. */
export function createPause(): Pause {
  let isInterrupted = false;
  let end = () => {};
  return {
    wait(ms) {
      if (isInterrupted) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, ms);
        end = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    },
    interrupt() {
      isInterrupted = true;
      end();
    },
  };
}
