import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import { concat } from "./wire-mutations.js";

/** One enveloped message: gRPC, gRPC-Web and Connect streaming frame each message this way. */
export interface Envelope {
  readonly flags: number;
  readonly payload: Uint8Array;
}

/** Flag bits of an envelope: compressed (all three), end of stream (Connect), trailers (gRPC-Web). */
export const envelopeFlags = { compressed: 0x01, endStream: 0x02, trailers: 0x80 } as const;

/** A 5-byte header — flags, then the length big-endian — and the payload; `claimedLength` lies about it. */
export function envelope(flags: number, payload: Uint8Array, claimedLength = payload.length): Uint8Array {
  const header = new Uint8Array(5);
  header[0] = flags;
  new DataView(header.buffer).setUint32(1, claimedLength >>> 0);
  return concat(header, payload);
}

/** The envelopes in `bytes`, and whatever is left after the last whole one. */
export function parseEnvelopes(bytes: Uint8Array): { envelopes: Envelope[]; rest: Uint8Array } {
  const envelopes: Envelope[] = [];
  let at = 0;
  while (bytes.length - at >= 5) {
    const length = new DataView(bytes.buffer, bytes.byteOffset + at + 1, 4).getUint32(0);
    if (bytes.length - at - 5 < length) break;
    envelopes.push({ flags: bytes[at] as number, payload: bytes.subarray(at + 5, at + 5 + length) });
    at += 5 + length;
  }
  return { envelopes, rest: bytes.subarray(at) };
}

/**
 * The envelopes of a response, those flagged compressed decompressed with the response's `encoding`
 * (its grpc-encoding or connect-content-encoding): a server answers a gzip request in gzip, trailers too.
 * An envelope that does not decompress is kept as it came, so the answer reads as malformed.
 */
export function responseEnvelopes(bytes: Uint8Array, encoding: string | undefined): Envelope[] {
  return parseEnvelopes(bytes).envelopes.map((e) => {
    if ((e.flags & envelopeFlags.compressed) === 0) return e;
    try {
      const payload = decompressed(e.payload, encoding ?? "identity");
      return payload === undefined ? e : { flags: e.flags & ~envelopeFlags.compressed, payload };
    } catch {
      return e;
    }
  });
}

/** `payload` decompressed per an encoding header (gzip, br, deflate); undefined for identity or unknown. */
export function decompressed(payload: Uint8Array, encoding: string): Uint8Array | undefined {
  const limit = { maxOutputLength: 8 * 1024 * 1024 };
  switch (encoding) {
    case "gzip":
      return gunzipSync(payload, limit);
    case "br":
      return brotliDecompressSync(payload, limit);
    case "deflate":
      return inflateSync(payload, limit);
    default:
      return undefined;
  }
}
