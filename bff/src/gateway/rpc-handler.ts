import { Code, ConnectError, type ConnectRouter, type ContextValues, createConnectRouter } from "@connectrpc/connect";
import {
  compressionBrotli,
  compressionGzip,
  universalRequestFromNodeRequest,
  universalResponseToNodeResponse,
} from "@connectrpc/connect-node";
import type { Logger } from "@marquee/mesh";
import { limitingHeaders } from "./header-limit.js";
import type { RequestHandler } from "./listener.js";
import type { NodeRequest, NodeResponse } from "./node-http.js";
import { checkingDecoding } from "./request-decoding.js";

/** What {@link rpcHandler} serves and how. */
export interface RpcHandlerOptions {
  /** Registers the RPCs on connect-es's router. */
  routes(router: ConnectRouter): void;
  /** The largest request message accepted (after decompression); larger ones get RESOURCE_EXHAUSTED. */
  readonly readMaxBytes: number;
  /** Answers a request for a path no RPC has. */
  readonly fallback: RequestHandler;
  /** Handlers' signals abort with this, so calls still running when a drain ends can be ended. */
  readonly shutdownSignal: AbortSignal;
  /** Values each call's handler context carries, from its Node request. */
  contextValues(request: NodeRequest): ContextValues;
  readonly log: Logger;
}

/**
 * The Node request handler serving every RPC the router holds over Connect, gRPC-Web and gRPC: what
 * connect-node's `connectNodeAdapter` does, with two differences the BFF needs. Each handler first checks
 * that the request's headers are not too large (`limitingHeaders`) and that its message decompresses and
 * decodes (`checkingDecoding`), so hostile input gets RESOURCE_EXHAUSTED or INVALID_ARGUMENT in the
 * protocol's form instead of a bare HTTP status or connect-es's INTERNAL; and a call that ends before its
 * answer is written — a browser closing a WatchAvailability stream, a client cancelling — is a debug
 * line, not an error on stderr.
 */
export function rpcHandler(options: RpcHandlerOptions): RequestHandler {
  const router = createConnectRouter({
    acceptCompression: [compressionGzip, compressionBrotli],
    readMaxBytes: options.readMaxBytes,
    shutdownSignal: options.shutdownSignal,
  });
  options.routes(router);
  const handlers = new Map(
    router.handlers.map((handler) => [
      handler.requestPath,
      limitingHeaders(checkingDecoding(handler, options.readMaxBytes)),
    ]),
  );
  return (request: NodeRequest, response: NodeResponse) => {
    const handler = handlers.get(request.url?.split("?", 1)[0] ?? "");
    if (handler === undefined) {
      options.fallback(request, response);
      return;
    }
    const universal = universalRequestFromNodeRequest(
      request as never,
      response as never,
      undefined,
      options.contextValues(request),
    );
    handler(universal)
      .then((answer) => universalResponseToNodeResponse(answer, response as never))
      .catch((reason: unknown) => {
        const error = ConnectError.from(reason);
        const endedByCaller = error.code === Code.Aborted || error.code === Code.Canceled || isClosedEarly(reason);
        options.log[endedByCaller ? "debug" : "warn"](
          { rpc: `${handler.service.typeName}/${handler.method.name}`, code: Code[error.code], reason: error.message },
          endedByCaller ? "the caller left before the answer was written" : "the answer could not be written",
        );
      });
  };
}

/** Node's errors for a response stream the peer closed, which nobody is left to hear about. */
function isClosedEarly(reason: unknown): boolean {
  const code = (reason as { code?: unknown } | undefined)?.code;
  return code === "ERR_STREAM_PREMATURE_CLOSE" || code === "ERR_HTTP2_STREAM_ERROR" || code === "ECONNRESET";
}
