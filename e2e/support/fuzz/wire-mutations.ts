import { type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import type { Random } from "./random.js";

/** Bytes to send instead of a valid encoding, and what was done to them, for the reproducer. */
export interface Mutated {
  readonly bytes: Uint8Array;
  readonly label: string;
}

/** The wire types of protobuf's binary format. */
const wire = { varint: 0, fixed64: 1, len: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const;

type Mutation = (valid: Uint8Array, schema: DescMessage, random: Random) => Mutated;

/**
 * Byte-level damage to a valid binary encoding of `schema`: what a decoder meets when a client is broken
 * or hostile. Each answer must be INVALID_ARGUMENT (or OK where the damage happens to decode), never
 * INTERNAL. String fields, message fields and numbers are found from the descriptor, so the damage lands
 * inside the fields a decoder actually checks.
 */
export function mutateWire(valid: Uint8Array, schema: DescMessage, random: Random): Mutated {
  const mutation = random.weighted<Mutation>([
    [truncated, 3],
    [bitFlips, 3],
    [invalidVarint, 2],
    [illegalTag, 2],
    [invalidUtf8, 3],
    [lengthPastEnd, 2],
    [wrongWireType, 2],
    [deepGroups, 1],
    [deepMessages, 1],
    [strayEndGroup, 1],
    [garbage, 2],
    [() => ({ bytes: new Uint8Array(0), label: "empty message" }), 1],
  ]);
  return mutation(valid, schema, random);
}

const truncated: Mutation = (valid, _schema, random) => {
  if (valid.length < 2) return garbage(valid, _schema, random);
  const at = random.int(1, valid.length - 1);
  return { bytes: valid.slice(0, at), label: `truncated to ${at} of ${valid.length} bytes` };
};

const bitFlips: Mutation = (valid, schema, random) => {
  if (valid.length === 0) return garbage(valid, schema, random);
  const bytes = valid.slice();
  const flips = random.int(1, 8);
  for (let i = 0; i < flips; i++) {
    const at = random.int(0, bytes.length - 1);
    bytes[at] = (bytes[at] as number) ^ (1 << random.int(0, 7));
  }
  return { bytes, label: `${flips} bit(s) flipped` };
};

const invalidVarint: Mutation = (valid, schema, random) => {
  const field = random.pick(schema.fields.length > 0 ? schema.fields : [undefined]);
  const tag = varint(((field?.number ?? 1) << 3) | wire.varint);
  const run = new Uint8Array(random.pick([10, 11, 16])).fill(0xff);
  return { bytes: concat(valid, tag, run), label: `a varint of ${run.length} continuation bytes` };
};

const illegalTag: Mutation = (valid, _schema, random) => {
  const choice = random.pick([
    { bytes: [0x00, 0x01], label: "field number 0" },
    { bytes: [...varint((1 << 3) | 6), 0x01, 0x02], label: "wire type 6" },
    { bytes: [...varint((2 << 3) | 7), 0x01], label: "wire type 7" },
    { bytes: [0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00], label: "a tag past 32 bits" },
    { bytes: [...varint(2 ** 29 * 8), 0x00], label: "field number 2^29, past the largest" },
  ]);
  return { bytes: concat(valid, Uint8Array.from(choice.bytes)), label: `illegal tag: ${choice.label}` };
};

/** UTF-8 every decoder must refuse: a lone continuation, an overlong NUL, a surrogate, a cut sequence. */
const badUtf8: readonly (readonly [string, readonly number[]])[] = [
  ["a lone continuation byte", [0x61, 0x80, 0x62]],
  ["an overlong NUL", [0xc0, 0x80]],
  ["an encoded surrogate", [0xed, 0xa0, 0x80]],
  ["a cut 3-byte sequence", [0xe2, 0x82]],
  ["byte 0xFF", [0xff, 0xfe]],
  ["a code point past U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
];

const invalidUtf8: Mutation = (valid, schema, random) => {
  const paths = stringPaths(schema, 3);
  if (paths.length === 0) return garbage(valid, schema, random);
  const path = random.pick(paths);
  const [name, text] = random.pick(badUtf8);
  let inner = concat(
    varint(((path.at(-1) as DescField).number << 3) | wire.len),
    varint(text.length),
    Uint8Array.from(text),
  );
  for (const field of path.slice(0, -1).reverse()) {
    inner = concat(varint((field.number << 3) | wire.len), varint(inner.length), inner);
  }
  return { bytes: concat(valid, inner), label: `invalid UTF-8 (${name}) in ${path.map((f) => f.name).join(".")}` };
};

const lengthPastEnd: Mutation = (valid, schema, random) => {
  const field = random.pick(schema.fields.length > 0 ? schema.fields : [undefined]);
  const claimed = random.pick([5, 1_000, 2 ** 31 - 1, 2 ** 32 + 5]);
  const bytes = concat(
    valid,
    varint(((field?.number ?? 1) << 3) | wire.len),
    varint(claimed),
    Uint8Array.from([1, 2, 3]),
  );
  return { bytes, label: `a length of ${claimed} with 3 bytes left` };
};

const wrongWireType: Mutation = (valid, schema, random) => {
  const field = random.pick(schema.fields.length > 0 ? schema.fields : [undefined]);
  const number = field?.number ?? 1;
  const choice = random.pick([
    { type: wire.varint, payload: [0x96, 0x01] },
    { type: wire.fixed32, payload: [1, 2, 3, 4] },
    { type: wire.fixed64, payload: [1, 2, 3, 4, 5, 6, 7, 8] },
    { type: wire.len, payload: [3, 0xff, 0xff, 0xff] },
    { type: wire.startGroup, payload: [...varint((number << 3) | wire.endGroup)] },
  ]);
  const bytes = concat(valid, varint((number << 3) | choice.type), Uint8Array.from(choice.payload));
  return { bytes, label: `${field?.name ?? "field 1"} sent as wire type ${choice.type}` };
};

const deepGroups: Mutation = (valid, _schema, random) => {
  const depth = random.pick([100, 10_000, 100_000]);
  const open = varint((1_000 << 3) | wire.startGroup);
  const close = varint((1_000 << 3) | wire.endGroup);
  const isClosed = random.chance(0.5);
  const bytes = new Uint8Array(valid.length + depth * open.length * (isClosed ? 2 : 1));
  bytes.set(valid);
  let at = valid.length;
  for (let i = 0; i < depth; i++, at += open.length) bytes.set(open, at);
  if (isClosed) for (let i = 0; i < depth; i++, at += close.length) bytes.set(close, at);
  return { bytes, label: `${depth} nested groups${isClosed ? "" : " never closed"}` };
};

const deepMessages: Mutation = (valid, schema, random) => {
  const field = schema.fields.find((f) => f.fieldKind === "message") ?? schema.fields[0];
  const number = field?.number ?? 1;
  const depth = random.pick([64, 1_000, 5_000]);
  let inner: Uint8Array = new Uint8Array(0);
  for (let i = 0; i < depth; i++) inner = concat(varint((number << 3) | wire.len), varint(inner.length), inner);
  return { bytes: concat(valid, inner), label: `${depth} messages nested in ${field?.name ?? "field 1"}` };
};

const strayEndGroup: Mutation = (valid) => ({
  bytes: concat(valid, varint((7 << 3) | wire.endGroup)),
  label: "an end-group tag with no group",
});

const garbage: Mutation = (_valid, _schema, random) => {
  const length = random.pick([1, 7, 64, 4_096]);
  return { bytes: random.bytes(length), label: `${length} random bytes` };
};

/** Field paths (at most `depth` deep) that end in a string field, singular or repeated. */
function stringPaths(schema: DescMessage, depth: number, seen: readonly string[] = []): DescField[][] {
  if (depth === 0 || seen.includes(schema.typeName)) return [];
  const paths: DescField[][] = [];
  for (const field of schema.fields) {
    const scalar = field.fieldKind === "scalar" || (field.fieldKind === "list" && field.listKind === "scalar");
    if (scalar && (field as { scalar?: ScalarType }).scalar === ScalarType.STRING) paths.push([field]);
    const message =
      field.fieldKind === "message" || (field.fieldKind === "list" && field.listKind === "message")
        ? (field as { message: DescMessage }).message
        : undefined;
    if (message !== undefined) {
      for (const path of stringPaths(message, depth - 1, [...seen, schema.typeName])) paths.push([field, ...path]);
    }
  }
  return paths;
}

/** Protobuf's base-128 varint of a non-negative number below 2^53. */
export function varint(value: number): Uint8Array {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return Uint8Array.from(out);
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
