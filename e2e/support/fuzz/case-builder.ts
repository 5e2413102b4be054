import { type Message, toBinary, toJson } from "@bufbuild/protobuf";
import type { Fixtures } from "./fixtures.js";
import { framed, hostileHeader, mutateFrame } from "./frame-mutations.js";
import { mutateJson } from "./json-mutations.js";
import { type GenerationStyle, generateMessage } from "./message-generator.js";
import { contentTypeOf, isBinary, type Protocol, protocolHeadersOf } from "./protocols.js";
import type { PublicRpc } from "./public-rpcs.js";
import type { Random } from "./random.js";
import { type FuzzTokens, pickTokenKind, type TokenKind, tokenOf } from "./tokens.js";
import { mutateWire } from "./wire-mutations.js";
import type { WireRequest } from "./wire-request.js";

/** One generated request, and how it came to be. */
export interface FuzzCase {
  readonly index: number;
  readonly rpc: PublicRpc;
  readonly protocol: Protocol;
  readonly tokenKind: TokenKind;
  /** The generation style and the damage done, e.g. "hostile; bit flips: 3 bit(s) flipped". */
  readonly input: string;
  readonly request: WireRequest;
}

/** What a case is built from besides its randomness. */
export interface CaseContext {
  readonly tokens: FuzzTokens;
  /** Ids and templates reads may name: every seed. */
  readonly readFixtures: Fixtures;
  /** Those mutating calls may name: the target seeds, so bystanders only ever see reads. */
  readonly writeFixtures: Fixtures;
}

/** The largest message sent: twice the BFF's 1 MiB limit. */
const largestMessageBytes = 2 * 1024 * 1024;

/** How a request is made: generated and sent as it is, or then damaged in its bytes, framing or headers. */
type Strategy = "as generated" | "wire" | "json" | "frame" | "header";

/**
 * Request `index` of a run: a message of the RPC's input generated from its descriptor (plausible or
 * hostile), encoded for `protocol`, then — for about half the requests — damaged: its binary encoding
 * (`mutateWire`), its JSON (`mutateJson`), its framing or encoding (`mutateFrame`), or a header.
 */
export function buildCase(
  index: number,
  rpc: PublicRpc,
  protocol: Protocol,
  random: Random,
  context: CaseContext,
): FuzzCase {
  const tokenKind = pickTokenKind(rpc.audience, random);
  const token = tokenOf(context.tokens, tokenKind);
  const style: GenerationStyle = random.chance(0.5) ? "plausible" : "hostile";
  const fixtures = rpc.isMutating ? context.writeFixtures : context.readFixtures;
  const strategy = random.weighted<Strategy>([
    ["as generated", 10],
    [isBinary(protocol) ? "wire" : "json", 5],
    ["frame", 3],
    ["header", 2],
  ]);
  let message = generateMessage(rpc.method.input, { random, fixtures, style });
  // Past the 1 MiB body limit is worth a try (RESOURCE_EXHAUSTED), a 100 MB body is only slow.
  for (let i = 0; i < 5 && toBinary(rpc.method.input, message).length > largestMessageBytes; i++) {
    message = generateMessage(rpc.method.input, { random, fixtures, style });
  }
  const encoded = encode(rpc, protocol, message, () =>
    generateMessage(rpc.method.input, { random, fixtures, style: "plausible" }),
  );
  let body = framed(protocol, rpc.isStreaming, encoded.bytes);
  let extra: Readonly<Record<string, string>> = {};
  let damage = "";
  switch (strategy) {
    case "wire": {
      const mutated = mutateWire(encoded.bytes, rpc.method.input, random);
      body = framed(protocol, rpc.isStreaming, mutated.bytes);
      damage = mutated.label;
      break;
    }
    case "json": {
      const mutated = mutateJson(encoded.json, rpc.method.input, random);
      body = framed(protocol, rpc.isStreaming, mutated.bytes);
      damage = mutated.label;
      break;
    }
    case "frame": {
      const mutated = mutateFrame(protocol, rpc.isStreaming, encoded.bytes, random);
      body = mutated.body;
      extra = mutated.headers;
      damage = mutated.label;
      break;
    }
    case "header":
      extra = hostileHeader(protocol, token, random);
      damage = `header ${Object.entries(extra)
        .map(
          ([name, value]) => `${name}: ${value.length > 40 ? `${value.slice(0, 20)}… (${value.length} chars)` : value}`,
        )
        .join(", ")}`;
      break;
    case "as generated":
      break;
  }
  const headers: Record<string, string> = {
    "content-type": contentTypeOf(protocol, rpc.isStreaming),
    ...protocolHeadersOf(protocol),
    ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    ...extra,
  };
  return {
    index,
    rpc,
    protocol,
    tokenKind,
    input: [style, encoded.note, damage].filter((part) => part !== "").join("; "),
    request: { protocol, path: rpc.path, isStreaming: rpc.isStreaming, headers, body },
  };
}

/**
 * The message's bytes for the protocol, and its JSON (what `mutateJson` damages). A message JSON cannot
 * carry (a Timestamp past 9999 has no RFC 3339 form) is sent as `{}` plus a note; its hostile values reach
 * the JSON protocols through `mutateJson` instead.
 */
function encode(
  rpc: PublicRpc,
  protocol: Protocol,
  message: Message,
  regenerate: () => Message,
): { bytes: Uint8Array; json: unknown; note: string } {
  const schema = rpc.method.input;
  if (isBinary(protocol)) {
    let json: unknown = {};
    try {
      json = toJson(schema, message);
    } catch {}
    return { bytes: toBinary(schema, message), json, note: "" };
  }
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      const candidate = attempt === 0 ? message : regenerate();
      const json = toJson(schema, candidate);
      return {
        bytes: new TextEncoder().encode(JSON.stringify(json)),
        json,
        note: attempt === 0 ? "" : "regenerated for JSON",
      };
    } catch {}
  }
  return { bytes: new TextEncoder().encode("{}"), json: {}, note: "not expressible in JSON, sent {}" };
}
