import { type DescMessage, fromBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type {
  Compression,
  UniversalHandler,
  UniversalServerRequest,
  UniversalServerResponse,
} from "@connectrpc/connect/protocol";
import { codeToHttpStatus, errorToJsonBytes } from "@connectrpc/connect/protocol-connect";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";
import { undecodableRequest } from "@marquee/mesh";

/** The encodings the BFF accepts on requests (connect-node's defaults), by the name a header gives. */
const compressions: ReadonlyMap<string, Compression> = new Map(
  [compressionGzip, compressionBrotli].map((compression) => [compression.name, compression]),
);

/** How a request carries its message, read from its content type. */
interface Framing {
  /**
   * `enveloped`: gRPC, gRPC-Web and Connect streaming, 5-byte envelopes whose compressed flag names
   * `encodingHeader`; `whole`: Connect unary, the body is the message, compressed as `encodingHeader` says.
   */
  readonly kind: "enveloped" | "whole";
  readonly encodingHeader: string;
  /** Connect's JSON, which is only decompressed here: connect-es parses it and refuses what does not parse. */
  readonly isJson: boolean;
}

/** What a request message is checked against. */
interface Expected {
  readonly input: DescMessage;
  readonly readMaxBytes: number;
  readonly isJson: boolean;
}

/**
 * The handler, checking first that each request message decompresses and, when binary, decodes as its
 * RPC's input — once decoded, connect-es would answer INTERNAL ("parse binary: premature EOF", "received
 * compressed envelope", "decompression failed") where gRPC's status codes say INVALID_ARGUMENT, and quote
 * the decoder at any length. A message that does not decode, a compressed flag without an encoding, or a
 * compressed body that does not decompress is refused with a short INVALID_ARGUMENT
 * (`undecodableRequest`) before connect-es reads it, in the answer every protocol expects: the error is
 * thrown from the request body connect-es is reading, so connect-es writes it. An encoding nobody
 * supports is left to connect-es, which answers UNIMPLEMENTED naming those it accepts (as the Connect
 * and gRPC protocols ask); so is anything larger than `readMaxBytes`, which it refuses with
 * RESOURCE_EXHAUSTED.
 */
export function checkingDecoding(handler: UniversalHandler, readMaxBytes: number): UniversalHandler {
  const input = handler.method.input;
  const checked = async (request: UniversalServerRequest): Promise<UniversalServerResponse> => {
    if (request.method === "GET") {
      const refusal = await checkedQuery(new URL(request.url).searchParams, input, readMaxBytes);
      return refusal ?? handler(request);
    }
    const framing = framingOf(request.header.get("content-type") ?? "");
    if (framing === undefined || !isByteStream(request.body)) return handler(request);
    const encoding = request.header.get(framing.encodingHeader) ?? "identity";
    const expected = { input, readMaxBytes, isJson: framing.isJson };
    if (framing.kind === "enveloped") {
      return handler({ ...request, body: checkedEnvelopes(request.body, expected, encoding) });
    }
    // A JSON body sent as it is has nothing to check before connect-es parses it.
    if (framing.isJson && encoding === "identity") return handler(request);
    return handler({ ...request, body: checkedWhole(request.body, expected, encoding) });
  };
  return Object.assign(checked, handler);
}

function framingOf(contentType: string): Framing | undefined {
  const type = contentType.split(";", 1)[0]?.trim().toLowerCase() ?? "";
  switch (type) {
    case "application/grpc":
    case "application/grpc+proto":
    case "application/grpc-web":
    case "application/grpc-web+proto":
      return { kind: "enveloped", encodingHeader: "grpc-encoding", isJson: false };
    case "application/connect+proto":
      return { kind: "enveloped", encodingHeader: "connect-content-encoding", isJson: false };
    case "application/connect+json":
      return { kind: "enveloped", encodingHeader: "connect-content-encoding", isJson: true };
    case "application/proto":
      return { kind: "whole", encodingHeader: "content-encoding", isJson: false };
    case "application/json":
      return { kind: "whole", encodingHeader: "content-encoding", isJson: true };
    default:
      return undefined;
  }
}

function isByteStream(body: unknown): body is AsyncIterable<Uint8Array> {
  return typeof body === "object" && body !== null && Symbol.asyncIterator in body;
}

/**
 * Passes the envelopes of `body` on one by one, each once it is whole and its message decodes; the flags
 * of an end-of-stream envelope and anything over `readMaxBytes` are left to connect-es.
 */
async function* checkedEnvelopes(
  body: AsyncIterable<Uint8Array>,
  expected: Expected,
  encoding: string,
): AsyncIterable<Uint8Array> {
  let pending: Uint8Array = new Uint8Array(0);
  const iterator = body[Symbol.asyncIterator]();
  for (;;) {
    while (pending.byteLength >= 5) {
      const flags = pending[0] as number;
      const length = new DataView(pending.buffer, pending.byteOffset + 1, 4).getUint32(0);
      if (length > expected.readMaxBytes || (flags & 0b1000_0000) !== 0) {
        // Not ours to judge: connect-es refuses a message too large, or an envelope a client may not send.
        yield pending;
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
        return;
      }
      if (pending.byteLength < 5 + length) break;
      const envelope = pending.subarray(0, 5 + length);
      const isCompressed = (flags & 0b0000_0001) !== 0;
      await checkMessage(envelope.subarray(5), expected, isCompressed ? encoding : "identity", isCompressed);
      yield envelope;
      pending = pending.subarray(5 + length);
    }
    const next = await iterator.next();
    if (next.done) break;
    pending = concat(pending, next.value);
  }
  if (pending.byteLength > 0) {
    throw new ConnectError(
      `the request ends inside a message envelope (${pending.byteLength} bytes of it arrived)`,
      Code.InvalidArgument,
    );
  }
}

/** Passes the whole body on once its message decodes; a body over `readMaxBytes` is left to connect-es. */
async function* checkedWhole(
  body: AsyncIterable<Uint8Array>,
  expected: Expected,
  encoding: string,
): AsyncIterable<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const iterator = body[Symbol.asyncIterator]();
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    chunks.push(next.value);
    size += next.value.byteLength;
    if (size > expected.readMaxBytes) {
      yield* chunks;
      for (let rest = await iterator.next(); !rest.done; rest = await iterator.next()) yield rest.value;
      return;
    }
  }
  const whole = concat(...chunks);
  await checkMessage(whole, expected, encoding, encoding !== "identity");
  yield whole;
}

/**
 * A Connect GET (an RPC without side effects, its message in the query) whose message does not decode, or
 * does not decompress: answered here, as Connect answers any unary error (its HTTP status, the error as
 * JSON), since no body is read that could carry the refusal to connect-es. Undefined when it does, or
 * when it is JSON sent as it is.
 */
async function checkedQuery(
  query: URLSearchParams,
  input: DescMessage,
  readMaxBytes: number,
): Promise<UniversalServerResponse | undefined> {
  const isJson = query.get("encoding") !== "proto";
  const encoding = query.get("compression") ?? "identity";
  if (isJson && encoding === "identity") return undefined;
  const text = query.get("message") ?? "";
  const bytes = query.get("base64") === "1" ? Buffer.from(text, "base64url") : new TextEncoder().encode(text);
  try {
    await checkMessage(bytes, { input, readMaxBytes, isJson }, encoding, encoding !== "identity");
    return undefined;
  } catch (error) {
    return connectUnaryError(ConnectError.from(error));
  }
}

/** `error` as Connect answers a unary call: its HTTP status, the error as JSON. */
export function connectUnaryError(error: ConnectError): UniversalServerResponse {
  return {
    status: codeToHttpStatus(error.code),
    header: new Headers({ "content-type": "application/json" }),
    body: (async function* () {
      yield errorToJsonBytes(error, {});
    })(),
  };
}

/** Throws INVALID_ARGUMENT unless `bytes` decompress as `encoding` says and, when binary, decode as `input`. */
async function checkMessage(
  bytes: Uint8Array,
  { input, readMaxBytes, isJson }: Expected,
  encoding: string,
  isCompressed: boolean,
): Promise<void> {
  let message = bytes;
  if (isCompressed) {
    if (encoding === "identity") {
      throw undecodableRequest(input.typeName, "it is flagged compressed, but the call names no encoding");
    }
    const compression = compressions.get(encoding);
    if (compression === undefined) return; // connect-es answers UNIMPLEMENTED, naming what it accepts
    try {
      message = await compression.decompress(bytes, readMaxBytes);
    } catch (error) {
      if (ConnectError.from(error).code === Code.ResourceExhausted) throw error;
      throw undecodableRequest(input.typeName, `it does not decompress as ${encoding}`);
    }
  }
  if (isJson) return;
  try {
    fromBinary(input, message);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw undecodableRequest(input.typeName, reason);
  }
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  if (parts.length === 1 && parts[0]?.buffer instanceof ArrayBuffer) return parts[0] as Uint8Array<ArrayBuffer>;
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return joined;
}
