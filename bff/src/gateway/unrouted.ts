import type { Http2ServerResponse } from "node:http2";
import { clipped } from "@marquee/mesh";
import type { RequestHandler } from "./listener.js";
import { respond } from "./node-http.js";

/**
 * Answers a call to a path no route serves — an unknown RPC, or an INTERNAL one, which the BFF never
 * routes. connect-node's default is a bare HTTP 404, which grpc-js and connect clients read as
 * UNIMPLEMENTED but Go clients (grpcurl, partners' generated code) read as INTERNAL "server closed the
 * stream without sending trailers". So gRPC callers get a trailers-only UNIMPLEMENTED — status in the
 * headers frame, which also ends the stream — gRPC-Web callers the same status in headers, and everyone
 * else the 404 that Connect and plain HTTP expect, with a Connect error body a `fetch` caller can read.
 */
export const answerUnrouted: RequestHandler = (request, response) => {
  const contentType = String(request.headers["content-type"] ?? "");
  const path = clipped(request.url ?? "");
  const status = {
    "grpc-status": "12",
    "grpc-message": encodeURIComponent(`${path} is not served here`),
  };
  if (/^application\/grpc(\+|;|$)/.test(contentType) && "stream" in response) {
    (response as unknown as Http2ServerResponse).stream.respond(
      { ":status": 200, "content-type": "application/grpc+proto", ...status },
      { endStream: true },
    );
    return;
  }
  if (contentType.startsWith("application/grpc-web")) {
    respond(response, 200, { "content-type": contentType, ...status });
    return;
  }
  respond(
    response,
    404,
    { "content-type": "application/json" },
    JSON.stringify({ code: "unimplemented", message: `${path} is not served here` }),
  );
};
