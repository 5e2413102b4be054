/** How long to wait before the next attempt, and when to give up: pure rules of the sender. */

export interface RetryPolicy {
  /** Attempts in all; the one that fails last makes the notification DEAD. */
  readonly maxAttempts: number;
  /** The pause after the first failure; it doubles after each later one. */
  readonly baseMs: number;
  /** The longest pause. */
  readonly maxMs: number;
}

/**
 * The pause after `attempts` failed attempts (1 after the first), or undefined when that was the last
 * one allowed. Exponential (base · 2^(attempts−1), capped at maxMs) with "equal jitter" — half fixed,
 * half random — so that mails failed together by one outage do not all retry in the same instant.
 */
export function retryDelayMs(
  attempts: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  if (attempts >= policy.maxAttempts) return undefined;
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}
