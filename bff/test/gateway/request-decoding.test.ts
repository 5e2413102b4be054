import { connect as connectHttp2 } from "node:http2";
import { gzipSync } from "node:zlib";
import { create, toBinary } from "@bufbuild/protobuf";
import { expect } from "chai";
import { EchoRequestSchema } from "../../../services/mesh/test/gen/marquee/meshtest/v1/mesh_test_pb.js";
import { type Fixture, startFixture } from "../support/fixture.js";

const echoPath = "/marquee.meshtest.v1.MeshTestService/Echo";
const countPath = "/marquee.meshtest.v1.MeshTestService/Count";
const validEcho = toBinary(EchoRequestSchema, create(EchoRequestSchema, { message: "hello" }));

/** How every refusal of a request that does not decode (or decompress) begins. */
const notAnEcho = "the request is not a valid marquee.meshtest.v1.EchoRequest: ";
/** Bytes that are no EchoRequest: field 1 says 5 bytes follow, one does. */
const truncated = Uint8Array.from([0x0a, 0x05, 0x61]);
/** Field 1, a string, holding invalid UTF-8. */
const invalidUtf8 = Uint8Array.from([0x0a, 0x02, 0xc3, 0x28]);

function envelope(message: Uint8Array, flags = 0): Uint8Array {
  const framed = new Uint8Array(5 + message.byteLength);
  framed[0] = flags;
  new DataView(framed.buffer).setUint32(1, message.byteLength);
  framed.set(message, 5);
  return framed;
}

interface Answer {
  /** The gRPC status code (gRPC, gRPC-Web), or the Connect error code. */
  readonly code: string;
  readonly message: string;
}

/** A gRPC call over HTTP/2 with raw bytes: the status from the trailers (or a trailers-only answer). */
function grpcCall(port: number, path: string, body: Uint8Array, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const session = connectHttp2(`http://127.0.0.1:${port}`);
    session.on("error", reject);
    const stream = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      te: "trailers",
      ...headers,
    });
    let status: Answer | undefined;
    const take = (fields: Record<string, unknown>) => {
      if (fields["grpc-status"] !== undefined) {
        status = {
          code: String(fields["grpc-status"]),
          message: decodeURIComponent(String(fields["grpc-message"] ?? "")),
        };
      }
    };
    stream.on("response", take);
    stream.on("trailers", take);
    stream.on("data", () => {});
    stream.on("close", () => {
      session.close();
      if (status === undefined) reject(new Error(`no gRPC status (stream closed with RST code ${stream.rstCode})`));
      else resolve(status);
    });
    stream.end(body);
  });
}

/** A gRPC-Web call over HTTP/1.1: the status from the trailer frame, or from the headers. */
async function grpcWebCall(baseUrl: string, path: string, body: Uint8Array): Promise<Answer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" },
    body,
  });
  const fields: Record<string, string> = Object.fromEntries(response.headers.entries());
  const bytes = new Uint8Array(await response.arrayBuffer());
  for (let at = 0; at + 5 <= bytes.byteLength; ) {
    const length = new DataView(bytes.buffer, at + 1, 4).getUint32(0);
    if (((bytes[at] as number) & 0x80) !== 0) {
      for (const line of new TextDecoder().decode(bytes.subarray(at + 5, at + 5 + length)).split("\r\n")) {
        const colon = line.indexOf(":");
        if (colon > 0) fields[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
    }
    at += 5 + length;
  }
  return { code: fields["grpc-status"] ?? "none", message: decodeURIComponent(fields["grpc-message"] ?? "") };
}

/** A Connect call with a binary body: the error code of its JSON error (unary) or end-stream message. */
async function connectCall(
  baseUrl: string,
  path: string,
  body: Uint8Array,
  headers: Record<string, string>,
): Promise<Answer & { readonly status: number }> {
  const response = await fetch(`${baseUrl}${path}`, { method: "POST", headers, body });
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (headers["content-type"]?.startsWith("application/connect+")) {
    // Envelopes; the one flagged 0x02 ends the stream with its error, if any, as JSON.
    for (let at = 0; at + 5 <= bytes.byteLength; ) {
      const length = new DataView(bytes.buffer, at + 1, 4).getUint32(0);
      if (((bytes[at] as number) & 0x02) !== 0) {
        const end = JSON.parse(new TextDecoder().decode(bytes.subarray(at + 5, at + 5 + length))) as {
          error?: { code: string; message: string };
        };
        return { status: response.status, code: end.error?.code ?? "ok", message: end.error?.message ?? "" };
      }
      at += 5 + length;
    }
    throw new Error("the Connect stream has no end-stream message");
  }
  if (response.status === 200) return { status: 200, code: "ok", message: "" };
  const error = JSON.parse(new TextDecoder().decode(bytes)) as { code: string; message: string };
  return { status: response.status, ...error };
}

describe("requests that do not decode, on every protocol the BFF serves (issue #27)", () => {
  let fixture: Fixture;
  let port: number;
  before(async () => {
    fixture = await startFixture();
    port = fixture.gateway.port;
  });
  after(() => fixture.close());

  it("answers gRPC INVALID_ARGUMENT (3), not INTERNAL, for bytes that do not decode, and forwards nothing", async () => {
    const before = fixture.counters.echo;
    for (const bytes of [truncated, invalidUtf8]) {
      const answer = await grpcCall(port, echoPath, envelope(bytes));
      expect(answer.code).to.equal("3");
      expect(answer.message).to.match(/^the request is not a valid marquee\.meshtest\.v1\.EchoRequest: /);
    }
    expect(fixture.counters.echo).to.equal(before);
  });

  it("answers gRPC INVALID_ARGUMENT for a compressed flag without an encoding, a gzip that is not, and a cut envelope", async () => {
    const flagged = await grpcCall(port, echoPath, envelope(validEcho, 1));
    expect(flagged).to.deep.equal({
      code: "3",
      message: `${notAnEcho}it is flagged compressed, but the call names no encoding`,
    });
    const garbage = await grpcCall(port, echoPath, envelope(Uint8Array.from([1, 2, 3, 4]), 1), {
      "grpc-encoding": "gzip",
    });
    expect(garbage).to.deep.equal({ code: "3", message: `${notAnEcho}it does not decompress as gzip` });
    const cut = await grpcCall(port, echoPath, envelope(validEcho).subarray(0, 6));
    expect(cut.code).to.equal("3");
  });

  it("answers gRPC UNIMPLEMENTED for an encoding it does not support, and serves a gzipped message", async () => {
    const snappy = await grpcCall(port, echoPath, envelope(validEcho, 1), { "grpc-encoding": "snappy" });
    expect(snappy.code).to.equal("12");
    const gzipped = await grpcCall(port, echoPath, envelope(gzipSync(validEcho), 1), { "grpc-encoding": "gzip" });
    expect(gzipped.code).to.equal("0");
  });

  it("answers gRPC-Web INVALID_ARGUMENT for bytes that do not decode", async () => {
    const answer = await grpcWebCall(fixture.baseUrl, echoPath, envelope(truncated));
    expect(answer.code).to.equal("3");
    const valid = await grpcWebCall(fixture.baseUrl, echoPath, envelope(validEcho));
    expect(valid.code).to.equal("0");
  });

  it("answers Connect binary 400 invalid_argument, unary and streaming, and for a GET's message", async () => {
    const unary = await connectCall(fixture.baseUrl, echoPath, truncated, { "content-type": "application/proto" });
    expect(unary).to.include({ status: 400, code: "invalid_argument" });
    const gzipGarbage = await connectCall(fixture.baseUrl, echoPath, Uint8Array.from([9, 9, 9]), {
      "content-type": "application/proto",
      "content-encoding": "gzip",
    });
    expect(gzipGarbage).to.include({ status: 400, code: "invalid_argument" });
    const streaming = await connectCall(fixture.baseUrl, countPath, envelope(invalidUtf8), {
      "content-type": "application/connect+proto",
      "connect-protocol-version": "1",
    });
    expect(streaming.code).to.equal("invalid_argument");

    const query = new URLSearchParams({
      connect: "v1",
      encoding: "proto",
      base64: "1",
      message: Buffer.from(truncated).toString("base64url"),
    });
    const get = await fetch(`${fixture.baseUrl}${echoPath}?${query}`);
    expect(get.status).to.equal(400);
    expect(((await get.json()) as { code: string }).code).to.equal("invalid_argument");
    const fine = new URLSearchParams({
      ...Object.fromEntries(query),
      message: Buffer.from(validEcho).toString("base64url"),
    });
    expect((await fetch(`${fixture.baseUrl}${echoPath}?${fine}`)).status).to.equal(200);
  });

  describe("Connect JSON (issue #27)", () => {
    const json = (text: string) => new TextEncoder().encode(text);
    const validJson = json('{"message":"hello"}');
    const unary = { "content-type": "application/json" };
    const streaming = { "content-type": "application/connect+json", "connect-protocol-version": "1" };

    it("answers 400 invalid_argument, not 500 decompression failed, for a br or gzip body that is not", async () => {
      for (const encoding of ["br", "gzip"]) {
        const answer = await connectCall(fixture.baseUrl, echoPath, Uint8Array.from([0x0d, 0x67, 0xda, 0xb0, 9]), {
          ...unary,
          "content-encoding": encoding,
        });
        expect(answer).to.deep.equal({
          status: 400,
          code: "invalid_argument",
          message: `${notAnEcho}it does not decompress as ${encoding}`,
        });
      }
    });

    it("answers invalid_argument for a streaming envelope flagged compressed without an encoding, or not gzip", async () => {
      const flagged = await connectCall(fixture.baseUrl, countPath, envelope(json('{"count":1}'), 1), streaming);
      expect(flagged).to.include({
        code: "invalid_argument",
        message: `${notAnEcho.replace("EchoRequest", "CountRequest")}it is flagged compressed, but the call names no encoding`,
      });
      const garbage = await connectCall(fixture.baseUrl, countPath, envelope(Uint8Array.from([1, 2, 3]), 1), {
        ...streaming,
        "connect-content-encoding": "gzip",
      });
      expect(garbage.code).to.equal("invalid_argument");
    });

    it("answers a GET whose JSON message does not decompress with 400 invalid_argument", async () => {
      const query = new URLSearchParams({
        connect: "v1",
        encoding: "json",
        compression: "br",
        base64: "1",
        message: Buffer.from([0x0d, 0x67, 0xda]).toString("base64url"),
      });
      const get = await fetch(`${fixture.baseUrl}${echoPath}?${query}`);
      expect(get.status).to.equal(400);
      expect(((await get.json()) as { code: string }).code).to.equal("invalid_argument");
    });

    it("still serves JSON as it is, gzipped, and in gzipped envelopes; an unknown encoding is unimplemented", async () => {
      expect(await connectCall(fixture.baseUrl, echoPath, validJson, unary)).to.include({ status: 200 });
      const gzipped = await connectCall(fixture.baseUrl, echoPath, gzipSync(validJson), {
        ...unary,
        "content-encoding": "gzip",
      });
      expect(gzipped).to.include({ status: 200 });
      const stream = await connectCall(fixture.baseUrl, countPath, envelope(gzipSync(json('{"count":1}')), 1), {
        ...streaming,
        "connect-content-encoding": "gzip",
      });
      expect(stream.code).to.equal("ok");
      const snappy = await connectCall(fixture.baseUrl, echoPath, validJson, {
        ...unary,
        "content-encoding": "snappy",
      });
      expect(snappy.code).to.equal("unimplemented");
    });
  });
});
