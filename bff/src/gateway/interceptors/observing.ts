import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { type Logger, observeServedRpc } from "@marquee/mesh";
import { peerAddressKey, principalKey } from "../call-values.js";
import { observeEnd } from "./observe-end.js";

/**
 * Counts every call in the mesh's RED metrics and writes one JSON log line when it ends — code,
 * duration, protocol, caller — refusals by later interceptors included. An error that is not a
 * ConnectError is a BFF bug: connect answers it INTERNAL without its message, and it is logged with its
 * cause here.
 */
export function observing(log: Logger): Interceptor {
  return (next) => async (request) => {
    const service = request.service.typeName;
    const method = request.method.name;
    const done = observeServedRpc(service, method);
    return observeEnd(next(request), (error) => {
      const seconds = done(error);
      const fields = {
        rpc: `${service}/${method}`,
        code: error === undefined ? "OK" : Code[ConnectError.from(error).code],
        ms: Math.round(seconds * 1000),
        protocol: protocolOf(request.header.get("content-type")),
        subject: request.contextValues.get(principalKey)?.subject,
        peer: request.contextValues.get(peerAddressKey),
      };
      if (error !== undefined && !(error instanceof ConnectError)) log.error({ ...fields, err: error }, "rpc failed");
      else log.info(fields, "rpc");
    });
  };
}

/** The protocol of a request, from its content type; connect's interceptors are not told. */
function protocolOf(contentType: string | null): string {
  if (contentType?.startsWith("application/grpc-web")) return "grpc-web";
  if (contentType?.startsWith("application/grpc")) return "grpc";
  return "connect";
}
