import http, { type IncomingHttpHeaders } from "node:http";
import { type Answer, codeOfConnectString, textOf } from "./answer.js";
import { decompressed, envelopeFlags, responseEnvelopes } from "./envelopes.js";
import type { SendTiming, WireRequest } from "./wire-request.js";

/** Response bytes kept per call; the rest is counted, not stored. */
const keptBytes = 2 * 1024 * 1024;

/** What an HTTP/1.1 exchange produced, before any protocol reads it. */
interface HttpExchange {
  readonly status: number | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly error: string;
  readonly ending: "hang" | "cut" | undefined;
  readonly durationMs: number;
}

/**
 * HTTP/1.1 to the BFF, as browsers call it: gRPC-Web, Connect unary (JSON and binary) and Connect
 * streaming. `agent` keeps connections alive between calls, as a browser does.
 */
export async function sendHttp1(
  agent: http.Agent,
  origin: URL,
  request: WireRequest,
  timing: SendTiming,
): Promise<Answer> {
  let exchange = await exchangeOf(agent, origin, request, timing);
  // A kept-alive socket the server closed just as it was reused never carried the request: once more.
  if (exchange.error.startsWith("reused socket:")) exchange = await exchangeOf(agent, origin, request, timing);
  switch (request.protocol) {
    case "grpc-web":
      return grpcWebAnswer(request, exchange);
    default:
      return request.isStreaming ? connectStreamAnswer(request, exchange) : connectUnaryAnswer(request, exchange);
  }
}

function exchangeOf(agent: http.Agent, origin: URL, request: WireRequest, timing: SendTiming): Promise<HttpExchange> {
  const started = performance.now();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) if (value !== "") headers[name] = value;
  headers["content-length"] = String(request.body.length);
  return new Promise((resolve) => {
    let status: number | undefined;
    let responseHeaders: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    let received = 0;
    let error = "";
    let ending: "hang" | "cut" | undefined;
    let isSettled = false;
    const finish = () => {
      if (isSettled) return;
      isSettled = true;
      clearTimeout(timer);
      resolve({
        status,
        headers: responseHeaders,
        body: Buffer.concat(chunks),
        error,
        ending,
        durationMs: performance.now() - started,
      });
    };
    let outgoing: http.ClientRequest;
    try {
      outgoing = http.request({
        agent,
        host: origin.hostname,
        port: origin.port,
        method: "POST",
        path: request.path,
        headers,
      });
    } catch (thrown) {
      error = `the request could not start: ${String(thrown)}`;
      isSettled = true;
      resolve({ status, headers: {}, body: Buffer.alloc(0), error, ending, durationMs: 0 });
      return;
    }
    const timer = setTimeout(
      () => {
        ending = request.isStreaming ? "cut" : "hang";
        outgoing.destroy();
        setTimeout(finish, 200);
      },
      request.isStreaming ? timing.cutMs : timing.deadlineMs,
    );
    outgoing.on("response", (response) => {
      status = response.statusCode;
      responseHeaders = response.headers;
      response.on("data", (chunk: Buffer) => {
        received += chunk.length;
        if (received <= keptBytes) chunks.push(chunk);
      });
      response.on("end", finish);
      response.on("error", (e) => {
        error ||= e.message;
      });
      response.on("close", finish);
    });
    outgoing.on("error", (e: NodeJS.ErrnoException) => {
      if (ending !== undefined) return finish();
      error =
        status === undefined && outgoing.reusedSocket && e.code === "ECONNRESET"
          ? `reused socket: ${e.message}`
          : e.message;
      finish();
    });
    outgoing.end(Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength));
  });
}

function baseOf(request: WireRequest, exchange: HttpExchange) {
  return {
    protocol: request.protocol,
    httpStatus: exchange.status,
    durationMs: exchange.durationMs,
    text: `${exchange.status ?? ""} ${JSON.stringify(exchange.headers)}\n${textOf(exchange.body)}`,
  };
}

/** The answer when no response (or no whole one) arrived. */
function unanswered(request: WireRequest, exchange: HttpExchange): Answer | undefined {
  if (exchange.status !== undefined && exchange.error === "" && exchange.ending === undefined) return undefined;
  const base = baseOf(request, exchange);
  const outcome = exchange.ending ?? "no-status";
  if (exchange.status === undefined || outcome !== "no-status") {
    return { ...base, outcome, code: undefined, message: "", detail: exchange.error, errorBytes: 0, messages: [] };
  }
  return undefined;
}

/** gRPC-Web: status in the trailer frame (flag 0x80), or in the headers of a trailers-only answer. */
function grpcWebAnswer(request: WireRequest, exchange: HttpExchange): Answer {
  const early = unanswered(request, exchange);
  const envelopes = responseEnvelopes(exchange.body, stringOf(exchange.headers["grpc-encoding"]));
  const trailerFrame = envelopes.find((e) => (e.flags & envelopeFlags.trailers) !== 0);
  const trailers =
    trailerFrame === undefined ? {} : parseTrailerBlock(Buffer.from(trailerFrame.payload).toString("latin1"));
  const head = exchange.headers;
  const status = trailers["grpc-status"] ?? stringOf(head["grpc-status"]);
  const rawMessage = trailers["grpc-message"] ?? stringOf(head["grpc-message"]) ?? "";
  const details = trailers["grpc-status-details-bin"] ?? stringOf(head["grpc-status-details-bin"]) ?? "";
  const base = baseOf(request, exchange);
  const messages = envelopes.filter((e) => (e.flags & envelopeFlags.trailers) === 0).map((e) => e.payload);
  const errorBytes = rawMessage.length + details.length + (trailerFrame?.payload.length ?? 0);
  if (status !== undefined && /^\d+$/.test(status) && exchange.status === 200) {
    return {
      ...base,
      outcome: "status",
      code: Number(status),
      message: decodeMessage(rawMessage),
      detail: trailerFrame === undefined ? "trailers-only" : "",
      errorBytes,
      messages,
    };
  }
  if (early !== undefined) return early;
  return {
    ...base,
    outcome: "no-status",
    code: undefined,
    message: decodeMessage(rawMessage),
    detail: [`HTTP ${exchange.status}`, exchange.error, status === undefined ? "no grpc-status" : ""]
      .filter(Boolean)
      .join("; "),
    errorBytes: errorBytes + exchange.body.length,
    messages,
  };
}

/**
 * Connect unary: 200 with the message, or an HTTP error status with `{ code, message, details }`; the body
 * compressed as its content-encoding says (a server answers a gzip request in gzip).
 */
function connectUnaryAnswer(request: WireRequest, received: HttpExchange): Answer {
  const early = unanswered(request, received);
  if (early !== undefined) return early;
  const exchange = { ...received, body: uncompressedBody(received) };
  const base = baseOf(request, exchange);
  if (exchange.status === 200) {
    return {
      ...base,
      outcome: "status",
      code: 0,
      message: "",
      detail: exchange.error,
      errorBytes: 0,
      messages: [exchange.body],
    };
  }
  const error = parseJson(exchange.body);
  const code = codeOfConnectString(error?.code);
  return {
    ...base,
    outcome: code === undefined ? "no-status" : "status",
    code,
    message: typeof error?.message === "string" ? error.message : "",
    detail: code === undefined ? `HTTP ${exchange.status} without a Connect error body` : exchange.error,
    errorBytes: exchange.body.length,
    messages: [],
  };
}

/** Connect streaming: messages, then an end-stream envelope (flag 0x02) whose JSON may hold an error. */
function connectStreamAnswer(request: WireRequest, exchange: HttpExchange): Answer {
  if (exchange.status !== undefined && exchange.status !== 200 && exchange.ending === undefined) {
    return connectUnaryAnswer(request, exchange);
  }
  const envelopes = responseEnvelopes(exchange.body, stringOf(exchange.headers["connect-content-encoding"]));
  const end = envelopes.find((e) => (e.flags & envelopeFlags.endStream) !== 0);
  const base = baseOf(request, exchange);
  const messages = envelopes.filter((e) => (e.flags & envelopeFlags.endStream) === 0).map((e) => e.payload);
  if (end === undefined) {
    const early = unanswered(request, exchange);
    if (early !== undefined) return { ...early, messages };
    return {
      ...base,
      outcome: "no-status",
      code: undefined,
      message: "",
      detail: "no end-stream message",
      errorBytes: 0,
      messages,
    };
  }
  const json = parseJson(Buffer.from(end.payload));
  const error = json?.error as Record<string, unknown> | undefined;
  const code = error === undefined ? (json === undefined ? undefined : 0) : codeOfConnectString(error.code);
  return {
    ...base,
    outcome: code === undefined ? "no-status" : "status",
    code,
    message: typeof error?.message === "string" ? error.message : "",
    detail: code === undefined ? "an end-stream message without a code" : "",
    errorBytes: error === undefined ? 0 : end.payload.length,
    messages,
  };
}

function uncompressedBody(exchange: HttpExchange): Buffer {
  const encoding = stringOf(exchange.headers["content-encoding"]);
  if (encoding === undefined || encoding === "identity") return exchange.body;
  try {
    const body = decompressed(exchange.body, encoding);
    return body === undefined ? exchange.body : Buffer.from(body);
  } catch {
    return exchange.body;
  }
}

function parseTrailerBlock(text: string): Record<string, string> {
  const trailers: Record<string, string> = {};
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return trailers;
}

function parseJson(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString("utf8"));
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function stringOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function decodeMessage(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
