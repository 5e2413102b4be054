import { Code, ConnectError } from "@connectrpc/connect";
import { context as otelContext, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { authorize } from "../access.js";
import { bearerToken, type TokenVerifier } from "../auth/verify-token.js";
import { badRequest } from "../errors.js";
import { toConnectError } from "../infrastructure-errors.js";
import { serverDuration, serverRequests } from "../metrics.js";
import type { RequestValidator } from "../validate.js";
import { metadataGetter } from "./metadata-carrier.js";
import { observeEnd, type ServerInterceptor } from "./types.js";

const tracer = trace.getTracer("@marquee/mesh");

/**
 * The server pipeline, outermost first. The order matters:
 * 1. tracing first, so every later step (and its logs) runs inside the call's span, continued from the
 *    caller's `traceparent`;
 * 2. observing next, so the metrics and the log line count every outcome, refusals included;
 * 3. error mapping before any step that can throw, so whatever escapes becomes a gRPC status with details,
 *    and an unexpected error is logged with its cause and answered INTERNAL without it;
 * 4. authentication, then access: the access check needs the principal;
 * 5. validation last, so an anonymous caller learns nothing about the request shape, and the handler
 *    only ever sees valid input.
 */
export function serverPipeline(options: {
  readonly verifier: TokenVerifier;
  readonly validators: ReadonlyMap<string, RequestValidator>;
}): ServerInterceptor[] {
  return [
    tracing(),
    observing(),
    mappingErrors(),
    authenticating(options.verifier),
    authorizing(),
    validating(options.validators),
  ];
}

function tracing(): ServerInterceptor {
  return (next) => (call) => {
    const parent = propagation.extract(otelContext.active(), call.metadata, metadataGetter);
    const name = `${call.method.parent.typeName}/${call.method.name}`;
    return tracer.startActiveSpan(
      name,
      {
        kind: SpanKind.SERVER,
        attributes: {
          "rpc.system": "grpc",
          "rpc.service": call.method.parent.typeName,
          "rpc.method": call.method.name,
        },
      },
      parent,
      (span) =>
        observeEnd(next(call), (error) => {
          const code = error === undefined ? 0 : ConnectError.from(error).code;
          span.setAttribute("rpc.grpc.status_code", code);
          if (error !== undefined)
            span.setStatus({ code: SpanStatusCode.ERROR, message: ConnectError.from(error).rawMessage });
          span.end();
        }),
    );
  };
}

function observing(): ServerInterceptor {
  return (next) => (call) => {
    const service = call.method.parent.typeName;
    const method = call.method.name;
    const stopTimer = serverDuration.startTimer({ service, method });
    return observeEnd(next(call), (error) => {
      const seconds = stopTimer();
      const code = error === undefined ? "OK" : Code[ConnectError.from(error).code];
      serverRequests.inc({ service, method, code });
      call.context.log.info({ rpc: `${service}/${method}`, code, ms: Math.round(seconds * 1000) }, "rpc");
    });
  };
}

function mappingErrors(): ServerInterceptor {
  return (next) => (call) =>
    observeEnd(
      next(call),
      () => {},
      (error) => {
        const mapped = toConnectError(error);
        if (mapped.code === Code.Internal && mapped.cause !== undefined) {
          call.context.log.error({ err: mapped.cause, rpc: call.method.name }, "unexpected error");
        }
        return mapped;
      },
    );
}

function authenticating(verifier: TokenVerifier): ServerInterceptor {
  return (next) => async (call) => {
    const header = call.metadata.get("authorization")[0];
    const token = bearerToken(typeof header === "string" ? header : undefined);
    if (token === undefined) return next(call);
    // A bad token is refused even on PUBLIC RPCs: a caller who meant to sign in must learn it failed.
    const principal = await verifier.verify(token);
    return next({ ...call, context: { ...call.context, principal } });
  };
}

function authorizing(): ServerInterceptor {
  return (next) => async (call) => {
    authorize(call.method, call.context.principal);
    return next(call);
  };
}

function validating(validators: ReadonlyMap<string, RequestValidator>): ServerInterceptor {
  return (next) => async (call) => {
    const validator = validators.get(call.method.input.typeName);
    if (validator !== undefined) {
      const violations = validator.validate(call.request as never);
      if (violations.length > 0) throw badRequest(violations);
    }
    return next(call);
  };
}
