import { looksLikeLeak } from "./leaks.js";
import type { Random } from "./random.js";

/**
 * The values an attacker tries first, by kind, each valid for its protobuf type (so the message still
 * encodes) and hostile to whatever reads it: sizes at and past the stack's bounds, characters a database
 * or a log cannot hold, numbers at the edges of their types, times outside what a Timestamp may say.
 */

/** Lengths around the request bounds (1,000 characters a string) and the BFF's 1 MiB body limit. */
const longLengths = [1_001, 4_097, 65_537, 1_000_000] as const;

/** Short strings that break naive parsers, queries, logs and terminals. */
const oddStrings: readonly string[] = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\u0000".repeat(16),
  "\uFFFF\uFFFE",
  "\uD800",
  "\uDC00x\uD800",
  "\u202Eevil",
  "e\u0301".repeat(50),
  "🎟️🎫🎭",
  "𝔐𝔞𝔯𝔮𝔲𝔢𝔢",
  "Ⅻ١٢٣",
  "null",
  "undefined",
  "NaN",
  "-1",
  "0",
  "1e309",
  "true",
  "__proto__",
  "constructor",
  "' OR '1'='1",
  "'; DROP TABLE venue; --",
  '"\\',
  "%s%s%s%n",
  "$" + "{7*7}",
  "{{7*7}}",
  "<script>alert(1)</script>",
  "\r\nX-Injected: 1",
  "../../../../etc/passwd",
  "%00%2e%2e%2f",
  "\t\n\v\f\r",
  "{}",
  "[]",
  "\\u0000",
  "ＡＢＣ",
  "İı",
  "ß",
  "a".repeat(1_000),
  "é".repeat(1_000),
];

/** Case-, padding- and shape-variants of a real id: each names "the same" thing to a careless reader. */
export function idVariants(id: string): readonly string[] {
  return [
    id,
    id.toUpperCase(),
    ` ${id}`,
    `${id} `,
    `\t${id}\n`,
    `${id}\u0000`,
    `\u0000${id}`,
    `{${id}}`,
    `urn:uuid:${id}`,
    id.replaceAll("-", ""),
    id.slice(0, -1),
    `${id}0`,
    `${id}/${id}`,
    `${id},${id}`,
    id.replace(/[a-f]/, (letter) => String.fromCharCode(letter.charCodeAt(0) + 0xfee0)),
  ];
}

/** Ids that are no id at all. */
const notIds: readonly string[] = [
  "00000000-0000-0000-0000-000000000000",
  "ffffffff-ffff-ffff-ffff-ffffffffffff",
  "00000000-0000-4000-8000-0000000000d1",
  "not-a-uuid",
  "1",
  "-1",
  "*",
  "%",
  "_",
  "..",
  "' OR 1=1 --",
];

/** A hostile string; `real` are ids the stack knows, which keep calls going past validation. */
export function hostileString(random: Random, real: readonly string[] = []): string {
  const kind = random.weighted<"odd" | "long" | "id" | "notId" | "random">([
    ["odd", 5],
    ["long", 1],
    ["id", real.length > 0 ? 4 : 0],
    ["notId", 2],
    ["random", 2],
  ]);
  switch (kind) {
    case "odd":
      return random.pick(oddStrings);
    case "long":
      return longString(random);
    case "id":
      return random.pick(idVariants(random.pick(real)));
    case "notId":
      return random.pick(notIds);
    case "random":
      return randomText(random, random.int(1, 40));
  }
}

/** A string past the bounds: mostly just over 1,000 characters, now and then a megabyte. */
export function longString(random: Random): string {
  const length = random.weighted(longLengths.map((n) => [n, n === 1_000_000 ? 1 : 4] as const));
  const unit = random.pick(["x", "é", "🎟", "\u0000", "a b "]);
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

/** Random characters from every plane, NUL and lone surrogates included; never a leak lookalike. */
export function randomText(random: Random, length: number): string {
  for (;;) {
    let text = "";
    for (let i = 0; i < length; i++) {
      const range = random.weighted<[number, number]>([
        [[0x20, 0x7e], 6],
        [[0x00, 0x1f], 1],
        [[0x80, 0x7ff], 1],
        [[0xd800, 0xdfff], 1],
        [[0xe000, 0xfffd], 1],
        [[0x10000, 0x10ffff], 1],
      ]);
      text += String.fromCodePoint(random.int(range[0], range[1]));
    }
    if (!looksLikeLeak(text)) return text;
  }
}

/** Extreme values of a 32-bit integer type (`signed` false: uint32, fixed32). */
export function hostileInt32(random: Random, signed: boolean): number {
  return signed
    ? random.pick([0, -1, 1, 1_000, 1_001, 10_000, 2 ** 24, 2 ** 31 - 1, -(2 ** 31), -1_000])
    : random.pick([0, 1, 1_001, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1]);
}

/** Extreme values of a 64-bit integer type. */
export function hostileInt64(random: Random, signed: boolean): bigint {
  return signed
    ? random.pick([0n, -1n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n), 10n ** 18n])
    : random.pick([0n, 1n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n]);
}

/** Doubles and floats a reader must not trust: NaN, the infinities, -0, the edges of the range. */
export function hostileDouble(random: Random): number {
  return random.pick([
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -0,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MIN_VALUE,
    2 ** 53 + 2,
    1e39,
    -1e-300,
  ]);
}

/** Seconds of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the range a Timestamp may say. */
const firstSecond = -62_135_596_800n;
const lastSecond = 253_402_300_799n;

/** A Timestamp before year 1, after 9999, at the edges, or with nanos out of range. */
export function hostileTimestamp(random: Random): { seconds: bigint; nanos: number } {
  const seconds = random.pick([
    firstSecond - 1n,
    firstSecond,
    lastSecond,
    lastSecond + 1n,
    -(2n ** 63n),
    2n ** 63n - 1n,
    0n,
    -1n,
    BigInt(Math.floor(Date.now() / 1000)),
  ]);
  const nanos = random.pick([0, 0, -1, 999_999_999, 1_000_000_000, 2 ** 31 - 1, -(2 ** 31)]);
  return { seconds, nanos };
}

/** A Duration past protobuf's ±10,000 years, negative, or with nanos of the wrong sign or size. */
export function hostileDuration(random: Random): { seconds: bigint; nanos: number } {
  const seconds = random.pick([0n, -1n, 1n, 59n, 3_600n, 315_576_000_001n, -315_576_000_001n, 2n ** 63n - 1n]);
  const nanos = random.pick([0, 0, -1, 1, 999_999_999, 1_000_000_000, -(2 ** 31)]);
  return { seconds, nanos };
}

/** An enum number: a declared one, zero, or one the enum does not declare. */
export function hostileEnum(random: Random, declared: readonly number[]): number {
  const highest = Math.max(0, ...declared);
  return random.weighted([
    [random.pick(declared.length > 0 ? declared : [0]), 3],
    [0, 1],
    [highest + 1, 2],
    [-1, 1],
    [2 ** 31 - 1, 1],
  ]);
}

/** A count for a repeated field or a map: mostly small, sometimes past the 1,000-item bound, rarely 10,000. */
export function hostileCount(random: Random): number {
  return random.weighted([
    [0, 3],
    [1, 4],
    [random.int(2, 8), 4],
    [1_001, 1],
    [10_000, 0.3],
  ]);
}
