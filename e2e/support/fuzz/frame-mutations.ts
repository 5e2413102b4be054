import { gzipSync } from "node:zlib";
import { envelope, envelopeFlags } from "./envelopes.js";
import { encodingHeaderOf, isEnveloped, type Protocol } from "./protocols.js";
import type { Random } from "./random.js";
import { concat } from "./wire-mutations.js";

/** A request body with the headers that go with it, and what is wrong with the pair. */
export interface Framed {
  readonly body: Uint8Array;
  /** Headers to add to (or, with an empty value, take from) the protocol's own. */
  readonly headers: Readonly<Record<string, string>>;
  readonly label: string;
}

/** The body a correct client sends: the message, in an envelope where the protocol has them. */
export function framed(protocol: Protocol, isStreaming: boolean, message: Uint8Array): Uint8Array {
  return isEnveloped(protocol, isStreaming) ? envelope(0, message) : message;
}

/** 16 MiB of zeros, gzipped to about 16 KiB: a decompression bomb. */
let bomb: Uint8Array | undefined;
function gzipBomb(): Uint8Array {
  bomb ??= new Uint8Array(gzipSync(new Uint8Array(16 * 1024 * 1024), { level: 9 }));
  return bomb;
}

/**
 * Damage to the framing of a valid request `message`: the envelope (a compressed flag with no encoding, an
 * encoding nobody supports, a gzip-flagged payload that is not gzip, a length past the body, two messages
 * on a unary call, flags only a server may send), or, for Connect's unary calls, the body's encoding.
 */
export function mutateFrame(protocol: Protocol, isStreaming: boolean, message: Uint8Array, random: Random): Framed {
  const encoding = encodingHeaderOf(protocol, isStreaming);
  if (!isEnveloped(protocol, isStreaming)) {
    return random.pick<() => Framed>([
      () => ({ body: message, headers: { [encoding]: "snappy" }, label: "unknown content-encoding" }),
      () => ({ body: random.bytes(64), headers: { [encoding]: "gzip" }, label: "gzip content-encoding, garbage body" }),
      () => ({ body: gzipBomb(), headers: { [encoding]: "gzip" }, label: "gzip of 16 MiB of zeros" }),
      () => ({ body: new Uint8Array(gzipSync(message)), headers: { [encoding]: "gzip" }, label: "gzip, valid" }),
      () => ({ body: message, headers: { [encoding]: "gzip" }, label: "gzip content-encoding, body not compressed" }),
      () => ({ body: random.bytes(32), headers: { [encoding]: "br" }, label: "br content-encoding, garbage body" }),
      () => ({ body: message, headers: { [encoding]: "gzip, gzip" }, label: "content-encoding twice" }),
    ])();
  }
  const two = concat(envelope(0, message), envelope(0, message));
  return random.pick<() => Framed>([
    () => ({ body: envelope(envelopeFlags.compressed, message), headers: {}, label: "compressed flag, no encoding" }),
    () => ({
      body: envelope(envelopeFlags.compressed, message),
      headers: { [encoding]: random.pick(["snappy", "zstd", "x-unknown"]) },
      label: "compressed flag, unknown encoding",
    }),
    () => ({ body: envelope(0, message), headers: { [encoding]: "snappy" }, label: "unknown encoding, flag clear" }),
    () => ({
      body: envelope(envelopeFlags.compressed, random.bytes(random.pick([1, 10, 300]))),
      headers: { [encoding]: "gzip" },
      label: "gzip-flagged garbage payload",
    }),
    () => ({
      body: envelope(envelopeFlags.compressed, gzipBomb()),
      headers: { [encoding]: "gzip" },
      label: "gzip of 16 MiB of zeros",
    }),
    () => ({
      body: envelope(envelopeFlags.compressed, new Uint8Array(gzipSync(message))),
      headers: { [encoding]: "gzip" },
      label: "gzip, valid",
    }),
    () => {
      const extra = random.pick([1, 100, 2 ** 20, 2 ** 32 - 1 - message.length]);
      return {
        body: envelope(0, message, message.length + extra),
        headers: {},
        label: `length header ${extra} bytes past the body`,
      };
    },
    () => ({
      body: concat(envelope(0, message), Uint8Array.from([0, 0])),
      headers: {},
      label: "bytes after the envelope",
    }),
    () => ({ body: two, headers: {}, label: isStreaming ? "two request messages" : "two messages on a unary call" }),
    () => ({ body: new Uint8Array(0), headers: {}, label: "no message" }),
    () => ({ body: Uint8Array.from([0, 0, 0]), headers: {}, label: "an envelope header cut at 3 bytes" }),
    () => {
      const flags = random.pick([envelopeFlags.trailers, envelopeFlags.endStream, 0xfe, 0x40]);
      return { body: envelope(flags, message), headers: {}, label: `envelope flags 0x${flags.toString(16)}` };
    },
  ])();
}

/** A JWT that names no algorithm, claiming to be an admin. */
const unsignedAdmin = `${base64Url('{"alg":"none","typ":"JWT"}')}.${base64Url('{"sub":"root","roles":["admin"]}')}.`;

/**
 * A header an attacker gets wrong on purpose: a deadline that does not parse, a token that is not one, a
 * Connect version nobody speaks, a 16 or 40 KB header, an idempotency key past any sane size.
 */
export function hostileHeader(protocol: Protocol, token: string | undefined, random: Random): Framed["headers"] {
  const timeout: Framed["headers"] =
    protocol === "grpc" || protocol === "grpc-web"
      ? { "grpc-timeout": random.pick(["abc", "-1S", "123456789S", "0n", "1n", "1H", "99999999H"]) }
      : { "connect-timeout-ms": random.pick(["-1", "abc", "99999999999", "0", "1", "1.5"]) };
  return random.pick<Framed["headers"]>([
    timeout,
    {
      authorization: random.pick([
        "Bearer",
        "Bearer ",
        "Bearer x.y.z",
        "Basic Zm9vOmJhcg==",
        `Bearer ${unsignedAdmin}`,
      ]),
    },
    { authorization: `Bearer ${"a".repeat(8_000)}` },
    { authorization: token === undefined ? "Bearer ." : `Bearer ${token.slice(0, -2)}xx` },
    { authorization: token === undefined ? "Bearer" : `bearer ${token}, Bearer ${token}` },
    { "connect-protocol-version": "2" },
    // Past Node's 16 KiB HTTP/1.1 default (served), and past the BFF's 32 KiB limit (RESOURCE_EXHAUSTED).
    { "x-fuzz-padding": "a".repeat(random.pick([16_000, 40_000])) },
    { "idempotency-key": random.pick(["", "x".repeat(10_000), "\u00e9\u00ff", "' OR 1=1"]) },
    { "grpc-accept-encoding": "snappy, zstd" },
  ]);
}

function base64Url(text: string): string {
  return Buffer.from(text).toString("base64url");
}
