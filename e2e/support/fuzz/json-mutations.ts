import { type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import type { Random } from "./random.js";

/** A Connect JSON body to send, and what is wrong with it. */
export interface JsonBody {
  readonly bytes: Uint8Array;
  readonly label: string;
}

/** Text placed into the JSON as is, for numbers JavaScript cannot hold and tokens JSON does not have. */
class Raw {
  constructor(readonly text: string) {}
}

type Json = null | boolean | number | string | Raw | Json[] | { [key: string]: Json };

/**
 * Damage to a valid Connect JSON request of `schema` (`valid`, as `toJson` wrote it): values of the wrong
 * type for their field (found from the descriptor: a string where a number goes, a number past int64, an
 * enum name nobody declared, a Timestamp in year 10000), unknown fields, two members of one oneof, and
 * text that is not JSON at all — truncated, garbage after it, a BOM, invalid UTF-8, nesting 100,000 deep.
 */
export function mutateJson(valid: unknown, schema: DescMessage, random: Random): JsonBody {
  const kind = random.weighted<"field" | "unknown" | "oneof" | "text">([
    ["field", 6],
    ["unknown", 2],
    ["oneof", 1],
    ["text", 4],
  ]);
  const object = (isObject(valid) ? structuredClone(valid) : {}) as { [key: string]: Json };
  switch (kind) {
    case "field": {
      const label = wrongValue(object, schema, random, 0);
      return { bytes: encode(object), label: label ?? "no field to change" };
    }
    case "unknown": {
      const [key, value] = random.pick<[string, Json]>([
        ["unknownField", 1],
        ["__proto__", { isAdmin: true }],
        ["constructor", { prototype: {} }],
        ["@type", "type.googleapis.com/marquee.Nothing"],
        ["", ""],
        ["x".repeat(10_000), 1],
        ["deep", nested(random.pick([1_000, 100_000]))],
      ]);
      object[key] = value;
      return { bytes: encode(object), label: `unknown field "${key.slice(0, 20)}"` };
    }
    case "oneof": {
      const oneof = schema.oneofs[0];
      if (oneof === undefined) return text(object, random);
      for (const field of oneof.fields) object[field.jsonName] = {};
      return { bytes: encode(object), label: `every member of oneof ${oneof.name} set` };
    }
    case "text":
      return text(object, random);
  }
}

/** Replaces one field's value, somewhere in the message, with one of the wrong type; returns where. */
function wrongValue(
  object: { [key: string]: Json },
  schema: DescMessage,
  random: Random,
  depth: number,
): string | undefined {
  if (schema.fields.length === 0) return undefined;
  const present = schema.fields.filter((f) => object[f.jsonName] !== undefined && f.fieldKind === "message");
  if (depth < 4 && present.length > 0 && random.chance(0.5)) {
    const field = random.pick(present);
    const inner = object[field.jsonName];
    if (isObject(inner) && field.fieldKind === "message" && !field.message.typeName.startsWith("google.protobuf.")) {
      const label = wrongValue(inner as { [key: string]: Json }, field.message, random, depth + 1);
      if (label !== undefined) return `${field.name}.${label}`;
    }
  }
  const field = random.pick(schema.fields);
  const value = random.pick(wrongValuesFor(field));
  object[random.chance(0.2) ? field.name : field.jsonName] = value;
  return `${field.name} = ${preview(value)}`;
}

/** Values of the wrong type or out of range for `field`, as JSON. */
function wrongValuesFor(field: DescField): Json[] {
  const anyWrong: Json[] = [null, [], {}, "", new Raw("1e400"), true];
  if (field.fieldKind === "list") return [{}, "x", [null], [[1]], [{}, 1, "a"], ...anyWrong];
  if (field.fieldKind === "map") return [[], [1, 2], { "": null }, { k: [] }, ...anyWrong];
  if (field.fieldKind === "enum") return ["NOT_A_VALUE", "", 999, -1, 1.5, new Raw("1e20"), ...anyWrong];
  if (field.fieldKind === "message") {
    switch (field.message.typeName) {
      case "google.protobuf.Timestamp":
        return [
          "10000-01-01T00:00:00Z",
          "0000-12-31T23:59:59Z",
          "-0001-01-01T00:00:00Z",
          "2024-13-45T25:61:61Z",
          "2024-02-30T00:00:00Z",
          "2024-01-01T00:00:00.1234567891Z",
          "2024-01-01T00:00:00+99:99",
          "2024-01-01",
          "now",
          1_700_000_000,
          ...anyWrong,
        ];
      case "google.protobuf.Duration":
        return ["315576000001s", "-315576000001s", "1.0000000001s", "1h", "s", "NaNs", 5, ...anyWrong];
      case "google.protobuf.FieldMask":
        return ["a,,b", "A_B", "a.b.c.d.e", ",".repeat(1_000), 123, ["a"], ...anyWrong];
      default:
        return ["x", 1, [1], ...anyWrong];
    }
  }
  switch ((field as { scalar?: ScalarType }).scalar) {
    case ScalarType.STRING:
      return [123, true, ["a"], { a: 1 }, new Raw('"\\ud800"'), new Raw('"\\u0000"'), ...anyWrong];
    case ScalarType.BOOL:
      return ["true", 1, "yes", 0, ...anyWrong];
    case ScalarType.BYTES:
      return ["!!!", "a", "=====", 123, "A".repeat(100_001), ...anyWrong];
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return ["nan", "1e999", new Raw("1e999"), new Raw("-1e999"), "Infinity", "0x10", ...anyWrong];
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return [
        "9223372036854775808",
        "-9223372036854775809",
        "18446744073709551616",
        new Raw("18446744073709551616"),
        "1e19",
        1.5,
        "0x7f",
        " 1",
        ...anyWrong,
      ];
    default:
      return [
        2_147_483_648,
        -2_147_483_649,
        4_294_967_296,
        new Raw("1e100"),
        1.5,
        "12abc",
        "0x10",
        new Raw("-0"),
        "Infinity",
        ...anyWrong,
      ];
  }
}

/** A body that is not valid JSON, or is JSON but not an object. */
function text(object: { [key: string]: Json }, random: Random): JsonBody {
  const valid = JSON.stringify(object);
  const utf8 = new TextEncoder();
  const choice = random.pick<[string, () => Uint8Array]>([
    ["truncated", () => utf8.encode(valid.slice(0, random.int(0, Math.max(0, valid.length - 1))))],
    ["garbage after it", () => utf8.encode(`${valid}}}garbage`)],
    ["unbalanced", () => utf8.encode(`${valid.slice(0, -1)}`)],
    ["a BOM before it", () => utf8.encode(`\uFEFF${valid}`)],
    ["empty", () => new Uint8Array(0)],
    ["null", () => utf8.encode("null")],
    ["an array", () => utf8.encode("[]")],
    ["a number", () => utf8.encode("123")],
    ["a string", () => utf8.encode('"x"')],
    ["single quotes", () => utf8.encode(valid.replaceAll('"', "'"))],
    ["a trailing comma", () => utf8.encode(valid === "{}" ? "{,}" : `${valid.slice(0, -1)},}`)],
    ["a comment", () => utf8.encode(`/* x */${valid}`)],
    ["NaN unquoted", () => utf8.encode('{"x":NaN}')],
    ["duplicate keys", () => utf8.encode(valid === "{}" ? '{"a":1,"a":2}' : `${valid.slice(0, -1)},${valid.slice(1)}`)],
    [
      "invalid UTF-8 in a string",
      () => Uint8Array.from([...utf8.encode('{"a":"'), 0xff, 0xc0, 0x80, ...utf8.encode('"}')]),
    ],
    ["a raw NUL byte", () => Uint8Array.from([...utf8.encode('{"a":"x'), 0x00, ...utf8.encode('"}')])],
    ["100,000 arrays deep", () => utf8.encode(`${"[".repeat(100_000)}${"]".repeat(100_000)}`)],
    ["1 MB of whitespace", () => utf8.encode(`${" ".repeat(1_000_000)}${valid}`)],
  ]);
  return { bytes: choice[1](), label: `not a JSON object: ${choice[0]}` };
}

/** Arrays nested `depth` deep, as text: JSON.stringify itself would overflow the stack building it. */
function nested(depth: number): Json {
  return new Raw(`${"[".repeat(depth)}1${"]".repeat(depth)}`);
}

/** JSON text of `value`, Raw values written as they are. */
function encode(value: Json): Uint8Array {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Raw) {
      raws.push(v.text);
      return `\u0000raw${raws.length - 1}\u0000`;
    }
    return v;
  });
  const restored = text.replace(/"\\u0000raw(\d+)\\u0000"/g, (_, i: string) => raws[Number(i)] as string);
  return new TextEncoder().encode(restored);
}

function preview(value: Json): string {
  const text = value instanceof Raw ? value.text : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
