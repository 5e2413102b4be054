import { Code, ConnectError } from "@connectrpc/connect";
import type { UniversalHandler, UniversalServerRequest, UniversalServerResponse } from "@connectrpc/connect/protocol";
import { maxHeaderBytes } from "./listener.js";
import { connectUnaryError } from "./request-decoding.js";

/**
 * The largest header block (names and values) a call may have: a long token, cookies and trace context
 * several times over, and half of what the listener reads ({@link maxHeaderBytes}), so that a block too
 * large to serve is still read, and refused in the protocol's form rather than by Node's HTTP layer.
 */
export const headerBytesLimit = maxHeaderBytes / 2;

/**
 * The handler, refusing first a call whose headers are larger than `limitBytes` with RESOURCE_EXHAUSTED
 * (what gRPC servers answer to oversized metadata), written by connect-es in the protocol's form: thrown
 * from the request body it reads, or — a Connect GET has none — answered as Connect answers a unary call.
 */
export function limitingHeaders(handler: UniversalHandler, limitBytes = headerBytesLimit): UniversalHandler {
  const limited = async (request: UniversalServerRequest): Promise<UniversalServerResponse> => {
    let bytes = 0;
    request.header.forEach((value, name) => {
      bytes += name.length + value.length;
    });
    if (bytes <= limitBytes) return handler(request);
    const refusal = new ConnectError(
      `the request's headers are ${bytes} bytes, more than the ${limitBytes} served`,
      Code.ResourceExhausted,
    );
    if (request.method === "GET") return connectUnaryError(refusal);
    const refusingBody: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(refusal) }),
    };
    return handler({ ...request, body: refusingBody });
  };
  return Object.assign(limited, handler);
}
