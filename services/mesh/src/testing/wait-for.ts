/** How long `waitFor` keeps trying. */
export interface WaitOptions {
  /**
   * Give up after this long, in milliseconds.
   * @default 5000
   */
  readonly timeoutMs?: number;
  /**
   * Pause between tries, in milliseconds.
   * @default 20
   */
  readonly intervalMs?: number;
}

/**
 * Polls `probe` until it returns something other than `undefined`, `null` or `false`, and returns that;
 * throws naming `what` once `timeoutMs` has passed. For tests of asynchronous effects (a relay publishing, a
 * consumer handling), so they wait exactly as long as needed instead of sleeping a guess.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | Promise<T>,
  options: WaitOptions = {},
): Promise<Exclude<T, undefined | null | false>> {
  const { timeoutMs = 5000, intervalMs = 20 } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false)
        return value as Exclude<T, undefined | null | false>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
