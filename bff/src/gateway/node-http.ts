import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { HeaderReader } from "@marquee/mesh";

/** A request of either Node server: the listener serves HTTP/1.1 and HTTP/2 with one handler. */
export type NodeRequest = IncomingMessage | Http2ServerRequest;

/** A response of either Node server. */
export type NodeResponse = ServerResponse | Http2ServerResponse;

/** Sends a whole response. */
export function respond(
  response: NodeResponse,
  status: number,
  headers: Readonly<Record<string, string>>,
  body?: string,
): void {
  // Both classes take the same arguments; their overloads only keep TypeScript from calling the union.
  const sink = response as ServerResponse;
  sink.writeHead(status, headers);
  sink.end(body);
}

/** A request's headers as the pipeline's steps read them; repeated ones as Node joins them, by ", ". */
export function headerReaderOf(request: NodeRequest): HeaderReader {
  return {
    get(name) {
      const value = request.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(", ") : value;
    },
    keys: () => Object.keys(request.headers),
  };
}
