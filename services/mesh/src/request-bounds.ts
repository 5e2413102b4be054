import type { DescField, DescMessage, Message } from "@bufbuild/protobuf";
import { ScalarType } from "@bufbuild/protobuf";
import type { FieldViolation } from "./errors.js";

/**
 * How large fields of one request message may be beyond the defaults, by field path in proto names without
 * indices (`"event.description"`, `"venue.sections.seated.rows"`): characters for a string, bytes for
 * `bytes`, items for a repeated field or a map. An RPC declares it beside its rules (`defineRpc`'s
 * `limits`); every other field gets {@link defaultLimits}.
 */
export type RequestLimits = Readonly<Record<string, number>>;

/**
 * The bounds every field of every request has unless its RPC says otherwise: generous for any real
 * request, small enough that no request can make a service hold, store, log or echo megabytes. Rules
 * still decide what a field means; these only keep what reaches them small.
 */
export const defaultLimits = {
  /** Characters (UTF-16 code units) of a string. */
  characters: 1_000,
  /** Bytes of a `bytes` field. */
  bytes: 64 * 1024,
  /** Items of a repeated field, entries of a map. */
  items: 1_000,
  /** Messages nested in messages. */
  depth: 32,
} as const;

/** At most this many bound violations are listed; the rest are counted. */
const mostReported = 20;

/**
 * From `0001-01-01T00:00:00Z` to `9999-12-31T23:59:59.999Z`: the range protobuf gives a Timestamp, cut to
 * the millisecond a JavaScript Date holds. `timestampDate` rounds nanos to the nearest millisecond, so
 * 23:59:59.9995 of the last day would become a Date in year 10000, past the range, which protobuf's JSON
 * cannot carry back and PostgreSQL would store. No time outside it reaches a Date or `timestamptz`.
 */
const timestampBounds = {
  minSeconds: -62_135_596_800n,
  maxSeconds: 253_402_300_799n,
  maxNanosOfLastSecond: 999_000_000,
} as const;
/** A Duration's range in protobuf's own definition: about ±10,000 years. */
const durationSeconds = 315_576_000_000n;

/**
 * What a request message violates of its bounds, whatever its RPC's rules: a string, bytes or repeated
 * field longer than its limit, a string with a NUL character (PostgreSQL's text cannot hold one), an enum
 * value its enum does not declare, a Timestamp outside what a Date holds, a Duration outside protobuf's
 * range, messages nested deeper than {@link defaultLimits.depth}. No violation repeats the value, so an
 * error stays as small as the request is not. Checked by the server before the RPC's rules, which then see bounded input only.
 */
export function boundViolations(schema: DescMessage, message: Message, limits: RequestLimits = {}): FieldViolation[] {
  const walk = new BoundsWalk(limits);
  walk.message(schema, message as unknown as Record<string, unknown>, "", "", 0);
  return walk.violations();
}

class BoundsWalk {
  private readonly found: FieldViolation[] = [];
  private count = 0;

  constructor(private readonly limits: RequestLimits) {}

  violations(): FieldViolation[] {
    const leftOut = this.count - this.found.length;
    return leftOut > 0 ? [...this.found, { field: "", description: `and ${leftOut} more violations` }] : this.found;
  }

  message(schema: DescMessage, message: Record<string, unknown>, path: string, key: string, depth: number): void {
    if (depth > defaultLimits.depth) {
      this.report(path, `nests messages deeper than ${defaultLimits.depth}`);
      return;
    }
    if (schema.typeName === "google.protobuf.Timestamp") {
      this.timestamp(message, path);
      return;
    }
    if (schema.typeName === "google.protobuf.Duration") {
      this.duration(message, path);
      return;
    }
    for (const field of schema.fields) {
      const value = setValueOf(field, message);
      if (value === undefined) continue;
      const fieldPath = path === "" ? field.name : `${path}.${field.name}`;
      const fieldKey = key === "" ? field.name : `${key}.${field.name}`;
      this.field(field, value, fieldPath, fieldKey, depth);
    }
  }

  private field(field: DescField, value: unknown, path: string, key: string, depth: number): void {
    switch (field.fieldKind) {
      case "scalar":
        this.scalar(field.scalar, value, path, key);
        return;
      case "enum":
        this.enumValue(field.enum.values, value as number, path);
        return;
      case "message":
        this.message(field.message, value as Record<string, unknown>, path, key, depth + 1);
        return;
      case "list": {
        const items = value as readonly unknown[];
        if (!this.withinItems(items.length, path, key)) return;
        items.forEach((item, index) => {
          const at = `${path}[${index}]`;
          if (field.listKind === "scalar") this.scalar(field.scalar, item, at, key);
          else if (field.listKind === "enum") this.enumValue(field.enum.values, item as number, at);
          else this.message(field.message, item as Record<string, unknown>, at, key, depth + 1);
        });
        return;
      }
      case "map": {
        const entries = Object.entries(value as Record<string, unknown>);
        if (!this.withinItems(entries.length, path, key)) return;
        for (const [entryKey, item] of entries) {
          const at = `${path}[${JSON.stringify(clip(entryKey))}]`;
          this.scalar(ScalarType.STRING, entryKey, at, key);
          if (field.mapKind === "scalar") this.scalar(field.scalar, item, at, key);
          else if (field.mapKind === "enum") this.enumValue(field.enum.values, item as number, at);
          else this.message(field.message, item as Record<string, unknown>, at, key, depth + 1);
        }
        return;
      }
    }
  }

  private scalar(type: ScalarType, value: unknown, path: string, key: string): void {
    if (type === ScalarType.STRING) {
      const text = value as string;
      const most = this.limits[key] ?? defaultLimits.characters;
      if (text.length > most) this.report(path, `must be at most ${most} characters (has ${text.length})`);
      else if (text.includes("\u0000")) this.report(path, "must not contain the NUL character");
    } else if (type === ScalarType.BYTES) {
      const bytes = value as Uint8Array;
      const most = this.limits[key] ?? defaultLimits.bytes;
      if (bytes.byteLength > most) this.report(path, `must be at most ${most} bytes (has ${bytes.byteLength})`);
    }
  }

  private enumValue(values: readonly { readonly number: number }[], value: number, path: string): void {
    if (!values.some((declared) => declared.number === value)) this.report(path, `${value} is not a value of its enum`);
  }

  private withinItems(count: number, path: string, key: string): boolean {
    const most = this.limits[key] ?? defaultLimits.items;
    if (count <= most) return true;
    this.report(path, `must have at most ${most} items (has ${count})`);
    return false;
  }

  private timestamp(message: Record<string, unknown>, path: string): void {
    const seconds = message.seconds as bigint;
    const nanos = message.nanos as number;
    const { minSeconds, maxSeconds, maxNanosOfLastSecond } = timestampBounds;
    const isPastLast = seconds > maxSeconds || (seconds === maxSeconds && nanos > maxNanosOfLastSecond);
    if (seconds < minSeconds || isPastLast || !isNanos(nanos)) {
      this.report(path, "must be a time from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z");
    }
  }

  private duration(message: Record<string, unknown>, path: string): void {
    const seconds = message.seconds as bigint;
    const nanos = message.nanos as number;
    const sameSign = seconds === 0n || nanos === 0 || seconds > 0n === nanos > 0;
    if (seconds < -durationSeconds || seconds > durationSeconds || Math.abs(nanos) > 999_999_999 || !sameSign) {
      this.report(path, "must be a duration of at most 10,000 years, its seconds and nanos of one sign");
    }
  }

  private report(field: string, description: string): void {
    this.count++;
    if (this.found.length < mostReported) this.found.push({ field, description });
  }
}

/** A set field's value, or undefined when it is unset (a oneof member not chosen, an absent message). */
function setValueOf(field: DescField, message: Record<string, unknown>): unknown {
  if (field.oneof !== undefined) {
    const chosen = message[field.oneof.localName] as { case?: string; value?: unknown } | undefined;
    return chosen?.case === field.localName ? chosen.value : undefined;
  }
  return message[field.localName] ?? undefined;
}

function isNanos(nanos: number): boolean {
  return Number.isInteger(nanos) && nanos >= 0 && nanos <= 999_999_999;
}

/** At most 64 characters of a client's text, for naming it in a field path. */
function clip(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}
