import http2, { type ClientHttp2Session, type IncomingHttpHeaders } from "node:http2";
import type { Answer } from "./answer.js";
import { textOf } from "./answer.js";
import { responseEnvelopes } from "./envelopes.js";
import type { SendTiming, WireRequest } from "./wire-request.js";

/** Response bytes kept per call; the rest is counted, not stored. */
const keptBytes = 2 * 1024 * 1024;

/**
 * One HTTP/2 connection to the BFF (h2c with prior knowledge, as grpc-js and grpcurl connect), reopened
 * when the server or an error closed it. Each concurrent caller of the fuzzer has its own, so a
 * connection one request broke is seen by that request alone.
 */
export class Http2Connection {
  private session: ClientHttp2Session | undefined;
  /** Why the last session ended, when it ended in an error: a request on it had no other answer. */
  private lastSessionError = "";

  constructor(private readonly origin: string) {}

  /** An open session, a new one when the last was closed. */
  open(): ClientHttp2Session {
    if (this.session === undefined || this.session.closed || this.session.destroyed) {
      const session = http2.connect(this.origin);
      session.on("error", (error) => {
        this.lastSessionError = `session error: ${error.message}`;
      });
      session.on("goaway", (code) => {
        this.lastSessionError = `GOAWAY ${code}`;
      });
      this.session = session;
    }
    return this.session;
  }

  sessionStory(): string {
    return this.lastSessionError;
  }

  close(): void {
    this.session?.close();
    this.session?.destroy();
    this.session = undefined;
  }
}

/**
 * A gRPC call over raw HTTP/2: the status is read from the trailers, or from the headers of a
 * trailers-only answer. A stream reset or a session that fails before a status arrives is an answer with
 * no status. A server stream still open after `cutMs` is ended by the client (`cut`).
 */
export async function sendGrpc(connection: Http2Connection, request: WireRequest, timing: SendTiming): Promise<Answer> {
  const first = await attempt(connection, request, timing);
  // A session the server had already closed (GOAWAY before this request) never saw the request: once more.
  if (first.isNotSent) return (await attempt(connection, request, timing)).answer;
  return first.answer;
}

async function attempt(
  connection: Http2Connection,
  request: WireRequest,
  timing: SendTiming,
): Promise<{ answer: Answer; isNotSent: boolean }> {
  const started = performance.now();
  const headers: Record<string, string> = { ":method": "POST", ":path": request.path };
  for (const [name, value] of Object.entries(request.headers)) if (value !== "") headers[name] = value;
  return new Promise((resolve) => {
    let responseHeaders: IncomingHttpHeaders | undefined;
    let trailers: IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    let streamError = "";
    let ending: "hang" | "cut" | undefined;
    let isSettled = false;
    let stream: http2.ClientHttp2Stream;
    try {
      stream = connection.open().request(headers);
    } catch (error) {
      connection.close();
      resolve({ answer: noStatus(request, started, `the request could not start: ${String(error)}`), isNotSent: true });
      return;
    }
    const finish = () => {
      if (isSettled) return;
      isSettled = true;
      clearTimeout(timer);
      const body = Buffer.concat(chunks);
      const isNotSent =
        responseHeaders === undefined && /GOAWAY|REFUSED_STREAM|ERR_HTTP2_GOAWAY_SESSION/.test(streamError);
      resolve({
        answer: answerOf(request, started, {
          responseHeaders,
          trailers,
          body,
          received,
          streamError,
          ending,
          stream,
          connection,
        }),
        isNotSent,
      });
    };
    const timer = setTimeout(
      () => {
        ending = request.isStreaming ? "cut" : "hang";
        stream.close(http2.constants.NGHTTP2_CANCEL);
        setTimeout(finish, 200);
      },
      request.isStreaming ? timing.cutMs : timing.deadlineMs,
    );
    // The status ends the call for the caller even while the request is still being written: a server
    // refusing a 2 MB message answers at once and stops reading, and the stream closes only when cancelled.
    const endOnStatus = () => {
      setImmediate(() => {
        finish();
        if (!stream.closed) stream.close(http2.constants.NGHTTP2_NO_ERROR);
      });
    };
    stream.on("response", (h) => {
      responseHeaders = h;
      if (h["grpc-status"] !== undefined) endOnStatus();
    });
    stream.on("trailers", (t) => {
      trailers = t;
      endOnStatus();
    });
    stream.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received <= keptBytes) chunks.push(chunk);
    });
    stream.on("error", (error) => {
      streamError = error.message;
    });
    stream.on("close", finish);
    stream.end(Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength));
  });
}

interface Http2Ending {
  readonly responseHeaders: IncomingHttpHeaders | undefined;
  readonly trailers: IncomingHttpHeaders | undefined;
  readonly body: Buffer;
  readonly received: number;
  readonly streamError: string;
  readonly ending: "hang" | "cut" | undefined;
  readonly stream: http2.ClientHttp2Stream;
  readonly connection: Http2Connection;
}

function answerOf(request: WireRequest, started: number, end: Http2Ending): Answer {
  const durationMs = performance.now() - started;
  const head = end.responseHeaders ?? {};
  const status = end.trailers?.["grpc-status"] ?? head["grpc-status"];
  const isTrailersOnly = end.trailers === undefined && head["grpc-status"] !== undefined;
  const rawMessage = String(end.trailers?.["grpc-message"] ?? head["grpc-message"] ?? "");
  const details = String(end.trailers?.["grpc-status-details-bin"] ?? head["grpc-status-details-bin"] ?? "");
  const text = [
    JSON.stringify(head),
    JSON.stringify(end.trailers ?? {}),
    decodeMessage(rawMessage),
    textOf(end.body),
  ].join("\n");
  const messages = responseEnvelopes(end.body, stringOf(head["grpc-encoding"])).map((e) => e.payload);
  const rst = end.stream.rstCode;
  const transport = [
    isTrailersOnly ? "trailers-only" : "",
    rst !== undefined && rst !== 0 && rst !== http2.constants.NGHTTP2_CANCEL ? `RST_STREAM ${rst}` : "",
    end.streamError,
    end.responseHeaders === undefined ? end.connection.sessionStory() : "",
    head[":status"] !== undefined && Number(head[":status"]) !== 200 ? `HTTP ${head[":status"]}` : "",
  ]
    .filter((part) => part !== "")
    .join("; ");
  const base = {
    protocol: request.protocol,
    httpStatus: head[":status"] === undefined ? undefined : Number(head[":status"]),
    message: decodeMessage(rawMessage),
    detail: transport,
    durationMs,
    errorBytes: rawMessage.length + details.length,
    text,
    messages,
  };
  if (status !== undefined && /^\d+$/.test(String(status))) {
    return { ...base, outcome: "status", code: Number(status) };
  }
  if (end.ending !== undefined) return { ...base, outcome: end.ending, code: undefined };
  return {
    ...base,
    outcome: "no-status",
    code: undefined,
    detail: transport || "the stream ended without grpc-status",
  };
}

function noStatus(request: WireRequest, started: number, detail: string): Answer {
  return {
    protocol: request.protocol,
    outcome: "no-status",
    code: undefined,
    httpStatus: undefined,
    message: "",
    detail,
    durationMs: performance.now() - started,
    errorBytes: 0,
    text: detail,
    messages: [],
  };
}

function stringOf(value: string | string[] | number | undefined): string | undefined {
  return value === undefined ? undefined : String(Array.isArray(value) ? value[0] : value);
}

/** grpc-message is percent-encoded; a message that does not decode is kept as sent. */
function decodeMessage(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
