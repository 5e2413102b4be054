import { ConnectError, type Interceptor } from "@connectrpc/connect";
import {
  context as otelContext,
  propagation,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  trace,
} from "@opentelemetry/api";
import { observeEnd } from "./observe-end.js";

const tracer = trace.getTracer("@marquee/bff");

/** Reads W3C trace context (`traceparent`, `tracestate`) from request headers. */
const headersGetter: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

/**
 * Starts the call's SERVER span, continuing the caller's `traceparent` when it sent one, and runs the
 * rest of the pipeline and the forwarding inside it, every pull of a stream included, so the mesh client
 * sends the same trace upstream. Node's HTTP/2 server has no automatic spans, so this is the BFF's only
 * server span, for every protocol alike.
 */
export function tracing(): Interceptor {
  return (next) => async (request) => {
    const parent = propagation.extract(otelContext.active(), request.header, headersGetter);
    const span = tracer.startSpan(
      `${request.service.typeName}/${request.method.name}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          "rpc.system": "connect_rpc",
          "rpc.service": request.service.typeName,
          "rpc.method": request.method.name,
        },
      },
      parent,
    );
    const active = trace.setSpan(parent, span);
    return observeEnd(
      otelContext.with(active, () => next(request)),
      (error) => {
        if (error !== undefined) {
          const connectError = ConnectError.from(error);
          span.setAttribute("rpc.connect_rpc.error_code", connectError.code);
          span.setStatus({ code: SpanStatusCode.ERROR, message: connectError.rawMessage });
        }
        span.end();
      },
      (pull) => otelContext.with(active, pull),
    );
  };
}
