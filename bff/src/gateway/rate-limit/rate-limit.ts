import type { Setting } from "@marquee/mesh";

/**
 * One token bucket's shape: it holds up to `burst` tokens, a call takes one, and one comes back every
 * `msPerToken`. Written `<count>/<s|m|h>[:<burst>]`: `10/s` is ten a second with a burst of ten, `5/m:10`
 * five a minute after a burst of ten. The burst defaults to the count: a full period's worth at once.
 */
export interface RateLimit {
  /** The most calls let through at once, after a quiet spell. */
  readonly burst: number;
  /** How long it takes to earn one more call. */
  readonly msPerToken: number;
  /** As written, e.g. `10/s:20`. */
  readonly text: string;
}

const periods: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `<count>/<s|m|h>[:<burst>]`; throws saying what is wrong. */
export function parseRateLimit(text: string): RateLimit {
  const match = /^\s*(\d+)\s*\/\s*([smh])\s*(?::\s*(\d+)\s*)?$/.exec(text);
  const periodMs = periods[match?.[2] ?? ""];
  if (match === null || periodMs === undefined) {
    throw new Error(`must read <count>/<s|m|h>[:<burst>], like 10/s or 5/m:10, got "${text}"`);
  }
  const count = Number(match[1]);
  const burst = match[3] === undefined ? count : Number(match[3]);
  if (count < 1 || count > 1_000_000) throw new Error(`count must be 1 to 1000000, got "${text}"`);
  if (burst < 1 || burst > 1_000_000) throw new Error(`burst must be 1 to 1000000, got "${text}"`);
  const limit = { burst, msPerToken: periodMs / count, text: `${count}/${match[2]}:${burst}` };
  // Printed as written (by `describeConfig`, in logs); not enumerable, so limits still compare as data.
  return Object.defineProperty(limit, "toString", { value: () => limit.text, enumerable: false });
}

/** A config setting holding a {@link RateLimit}. */
export function rateLimitSetting(doc: string, defaultText: string): Setting<RateLimit> {
  return {
    doc: `${doc}, as <count>/<s|m|h>[:<burst>]`,
    defaultValue: parseRateLimit(defaultText),
    isSecret: false,
    parse: parseRateLimit,
  };
}
