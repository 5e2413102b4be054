/**
 * The fuzzer's only source of randomness: a small seeded generator (sfc32), so one seed gives the same
 * requests again. Each request draws from its own stream, `forCase(seed, index)`, so the order in which
 * concurrent calls finish does not change what the next request is.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** One of `choices`, each drawn in proportion to its weight. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T;
  bytes(length: number): Uint8Array;
}

/** A seed for a run: `FUZZ_SEED` when set (a finding's seed, to reproduce it), otherwise a fresh one. */
export function seedOf(value: string | undefined = process.env.FUZZ_SEED): number {
  if (value === undefined || value.trim() === "") return Math.floor(Math.random() * 2 ** 32) >>> 0;
  const seed = Number(value);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new Error(`FUZZ_SEED must be an integer from 0 to 4294967295, not "${value}"`);
  }
  return seed;
}

/** The stream of request `index` of the run seeded `seed`. */
export function forCase(seed: number, index: number): Random {
  return createRandom(seed, index + 1);
}

/** A generator from a seed and an optional stream number. */
export function createRandom(seed: number, stream = 0): Random {
  // sfc32, with the state warmed up as its author recommends; the stream number makes the states apart.
  let a = seed >>> 0;
  let b = Math.imul(stream, 0x9e3779b9) >>> 0;
  let c = 0x243f6a88 ^ stream;
  let d = 1;
  const next32 = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 15; i++) next32();
  const next = () => next32() / 2 ** 32;
  const random: Random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new Error("pick from an empty list");
      return items[Math.floor(next() * items.length)] as T;
    },
    weighted<T>(choices: readonly (readonly [T, number])[]): T {
      const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
      let point = next() * total;
      for (const [choice, weight] of choices) {
        point -= weight;
        if (point < 0) return choice;
      }
      return (choices.at(-1) as readonly [T, number])[0];
    },
    bytes(length) {
      const out = new Uint8Array(length);
      for (let i = 0; i < length; i++) out[i] = next32() & 0xff;
      return out;
    },
  };
  return random;
}
