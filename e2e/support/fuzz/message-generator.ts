import {
  clone,
  create,
  type DescEnum,
  type DescField,
  type DescMessage,
  type Message,
  ScalarType,
} from "@bufbuild/protobuf";
import { type ReflectList, type ReflectMap, type ReflectMessage, reflect } from "@bufbuild/protobuf/reflect";
import { type Fixtures, idKindOf } from "./fixtures.js";
import {
  hostileCount,
  hostileDouble,
  hostileDuration,
  hostileEnum,
  hostileInt32,
  hostileInt64,
  hostileString,
  hostileTimestamp,
  randomText,
} from "./hostile-values.js";
import type { Random } from "./random.js";

/**
 * How a generated message leans: `plausible` looks like a real client's (real ids, sane numbers, a seeded
 * resource changed in one place) so it reaches the handlers and the stores; `hostile` puts an attacker's
 * value in about every other field it sets.
 */
export type GenerationStyle = "plausible" | "hostile";

export interface GenerationOptions {
  readonly random: Random;
  readonly fixtures: Fixtures;
  readonly style: GenerationStyle;
}

/** Nesting beyond the 32 levels a request may have: reached only by messages whose types recurse. */
const deepNesting = 40;
/** Characters and items one message may hold in all, about the BFF's 1 MiB body limit. */
const budgetUnits = 1_200_000;

/**
 * A random message of `schema`, valid in shape (it encodes, in binary and mostly in JSON) and hostile in
 * its values: built from the descriptor alone — scalars, enums, messages, lists, maps, oneofs, and the
 * well-known Timestamp, Duration and FieldMask — so any request type of any service gets one.
 */
export function generateMessage(schema: DescMessage, options: GenerationOptions): Message {
  const generator = new Generator(options);
  return generator.message(schema, 0, options.random.chance(0.02) ? deepNesting : 5);
}

class Generator {
  private budget = budgetUnits;
  private readonly random: Random;

  constructor(private readonly options: GenerationOptions) {
    this.random = options.random;
  }

  private get isHostile(): boolean {
    return this.options.style === "hostile";
  }

  /** The chance a value is an attacker's rather than a client's. */
  private get hostileShare(): number {
    return this.isHostile ? 0.5 : 0.06;
  }

  message(schema: DescMessage, depth: number, maxDepth: number): Message {
    switch (schema.typeName) {
      case "google.protobuf.Timestamp":
        return create(schema, this.timestamp() as never);
      case "google.protobuf.Duration":
        return create(schema, this.duration() as never);
    }
    const templates = this.options.fixtures.templatesOf(schema);
    if (templates.length > 0 && this.random.chance(this.isHostile ? 0.35 : 0.8)) {
      return this.changedTemplate(schema, this.random.pick(templates), depth, maxDepth);
    }
    const message = create(schema);
    const r = reflect(schema, message, false);
    const setShare = depth === 0 ? (this.isHostile ? 0.8 : 0.65) : this.isHostile ? 0.5 : 0.6;
    for (const member of r.members) {
      const fields = member.kind === "oneof" ? [this.random.pick(member.fields)] : [member];
      const field = fields[0] as DescField;
      if (!this.random.chance(setShare)) continue;
      this.assign(r, field, depth, maxDepth);
    }
    return message;
  }

  /** A real resource of the stack with one to three fields changed (none, now and then). */
  private changedTemplate(schema: DescMessage, template: Message, depth: number, maxDepth: number): Message {
    const message = clone(schema, template);
    const r = reflect(schema, message, false);
    const changes = this.isHostile
      ? this.random.int(1, 3)
      : this.random.weighted([
          [0, 2],
          [1, 5],
          [2, 1],
        ] as const);
    for (let i = 0; i < changes && r.fields.length > 0; i++) {
      const field = this.random.pick(r.fields);
      if (this.random.chance(0.15)) r.clear(field);
      else this.assign(r, field, depth, maxDepth);
    }
    return message;
  }

  private assign(r: ReflectMessage, field: DescField, depth: number, maxDepth: number): void {
    switch (field.fieldKind) {
      case "scalar":
        r.set(field, this.scalar(field, field.scalar));
        return;
      case "enum":
        r.set(field, this.enumValue(field));
        return;
      case "message":
        if (depth + 1 >= maxDepth) return;
        r.set(field, reflect(field.message, this.messageFor(field, field.message, r, depth, maxDepth), false));
        return;
      case "list": {
        const list = r.get(field) as ReflectList;
        list.clear();
        const count = this.count();
        if (field.listKind === "message") {
          if (depth + 1 >= maxDepth) return;
          // A large list repeats a few messages: 10,000 distinct resources would take minutes to build.
          const distinct = Math.min(count, 4);
          const items = Array.from({ length: distinct }, () =>
            reflect(field.message, this.messageFor(field, field.message, r, depth, maxDepth), false),
          );
          for (let i = 0; i < count; i++) list.add(items[i % distinct]);
        } else if (field.listKind === "enum") {
          for (let i = 0; i < count; i++) list.add(this.enumValue(field));
        } else {
          const distinct = Array.from({ length: Math.min(count, 16) }, () => this.scalar(field, field.scalar));
          for (let i = 0; i < count; i++) list.add(distinct[i % distinct.length]);
        }
        return;
      }
      case "map": {
        const map = r.get(field) as ReflectMap;
        map.clear();
        const count = Math.min(this.count(), 2_000);
        for (let i = 0; i < count; i++) {
          const key = this.mapKey(field.mapKey, i);
          if (field.mapKind === "message") {
            if (depth + 1 >= maxDepth) return;
            map.set(key, reflect(field.message, this.message(field.message, depth + 1, maxDepth), false));
          } else if (field.mapKind === "enum") {
            map.set(key, this.enumValue(field));
          } else {
            map.set(key, this.scalar(field, field.scalar));
          }
        }
        return;
      }
    }
  }

  /** A nested message; a FieldMask's paths name fields of the message it masks, its sibling. */
  private messageFor(field: DescField, schema: DescMessage, parent: ReflectMessage, depth: number, maxDepth: number) {
    if (schema.typeName === "google.protobuf.FieldMask") {
      return create(schema, { paths: this.maskPaths(field, parent) } as never);
    }
    return this.message(schema, depth + 1, maxDepth);
  }

  private maskPaths(field: DescField, parent: ReflectMessage): string[] {
    const masked = parent.fields.find((f) => f !== field && f.fieldKind === "message")?.message;
    const names = masked?.fields.map((f) => f.name) ?? ["name"];
    if (!this.random.chance(this.hostileShare)) {
      return Array.from({ length: this.random.int(1, 3) }, () => this.random.pick(names));
    }
    const nested = masked?.fields.find((f) => f.fieldKind === "message");
    return this.random.pick([
      [""],
      ["*"],
      ["id"],
      [`${this.random.pick(names)}.x`],
      [nested === undefined ? "a.b" : `${nested.name}.${nested.message.fields[0]?.name ?? "x"}`],
      [this.random.pick(names).toUpperCase()],
      names.map((name) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())),
      Array.from({ length: 1_001 }, () => this.random.pick(names)),
      [hostileString(this.random)],
      names,
    ]);
  }

  private count(): number {
    if (!this.random.chance(this.hostileShare)) return this.random.int(1, 4);
    const count = hostileCount(this.random);
    if (count > 100 && this.budget < count * 40) return 1;
    this.budget -= count * 20;
    return count;
  }

  private mapKey(type: ScalarType, index: number): string | number | bigint | boolean {
    switch (type) {
      case ScalarType.STRING:
        return this.random.chance(this.hostileShare)
          ? `${hostileString(this.random).slice(0, 2_000)}${index}`
          : `k${index}`;
      case ScalarType.BOOL:
        return index % 2 === 0;
      case ScalarType.INT64:
      case ScalarType.SINT64:
      case ScalarType.SFIXED64:
      case ScalarType.UINT64:
      case ScalarType.FIXED64:
        return BigInt(index);
      default:
        return index;
    }
  }

  private enumValue(field: DescField): number {
    const schema = (field as { enum?: DescEnum }).enum;
    const declared = (schema?.values ?? []).map((value) => value.number);
    if (this.random.chance(this.hostileShare)) return hostileEnum(this.random, declared);
    const nonZero = declared.filter((n) => n !== 0);
    return this.random.pick(nonZero.length > 0 ? nonZero : declared.length > 0 ? declared : [0]);
  }

  private scalar(field: DescField, type: ScalarType): unknown {
    const isHostile = this.random.chance(this.hostileShare);
    switch (type) {
      case ScalarType.STRING:
        return this.string(field, isHostile);
      case ScalarType.BYTES:
        return isHostile
          ? this.random.pick([new Uint8Array(0), new Uint8Array(64 * 1024 + 1), this.random.bytes(300)])
          : this.random.bytes(this.random.int(1, 16));
      case ScalarType.BOOL:
        return this.random.chance(0.5);
      case ScalarType.DOUBLE:
      case ScalarType.FLOAT:
        return isHostile ? hostileDouble(this.random) : this.random.int(0, 10_000) / 100;
      case ScalarType.INT32:
      case ScalarType.SINT32:
      case ScalarType.SFIXED32:
        return isHostile ? hostileInt32(this.random, true) : this.plausibleCount(field);
      case ScalarType.UINT32:
      case ScalarType.FIXED32:
        return isHostile ? hostileInt32(this.random, false) : this.plausibleCount(field);
      case ScalarType.INT64:
      case ScalarType.SINT64:
      case ScalarType.SFIXED64:
        return isHostile ? hostileInt64(this.random, true) : BigInt(this.random.int(1, 1_000_000));
      case ScalarType.UINT64:
      case ScalarType.FIXED64:
        return isHostile ? hostileInt64(this.random, false) : BigInt(this.random.int(1, 1_000_000));
    }
  }

  private plausibleCount(field: DescField): number {
    return field.name.includes("page_size") ? this.random.pick([1, 2, 10, 100]) : this.random.int(1, 6);
  }

  private string(field: DescField, isHostile: boolean): string {
    const real = this.options.fixtures.idsFor(field);
    const isId = idKindOf(field) !== undefined;
    if (!isHostile) {
      // A real client starts a listing from its first page.
      if (idKindOf(field) === "page_token" && this.random.chance(0.7)) return "";
      if (isId && real.length > 0 && this.random.chance(0.9)) return this.random.pick(real);
      if (isId) return this.random.pick(this.options.fixtures.allIds().concat([""]));
      const words = this.options.fixtures.wordsFor(field);
      return words.length > 0 && this.random.chance(0.8) ? this.random.pick(words) : randomWord(this.random);
    }
    const value = hostileString(this.random, real.length > 0 ? real : this.options.fixtures.allIds());
    if (value.length > 10_000) {
      if (this.budget < value.length) return randomText(this.random, 8);
      this.budget -= value.length;
    }
    return value;
  }

  private timestamp(): { seconds: bigint; nanos: number } {
    if (this.random.chance(this.hostileShare)) return hostileTimestamp(this.random);
    const days = this.random.int(-30, 400);
    return { seconds: BigInt(Math.floor(Date.now() / 1000) + days * 86_400), nanos: 0 };
  }

  private duration(): { seconds: bigint; nanos: number } {
    if (this.random.chance(this.hostileShare)) return hostileDuration(this.random);
    return { seconds: BigInt(this.random.pick([60, 300, 600, 1_800])), nanos: 0 };
  }
}

/** A short word a person might type. */
function randomWord(random: Random): string {
  const syllables = ["ma", "ra", "ka", "ti", "no", "sha", "pu", "la", "dhe", "zo"];
  const word = Array.from({ length: random.int(1, 4) }, () => random.pick(syllables)).join("");
  return random.chance(0.3) ? `${word} ${random.int(1, 99)}` : word;
}
