import type { Message } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { context as otelContext, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { authorize } from "../access.js";
import { bearerToken, type TokenVerifier } from "../auth/verify-token.js";
import { badRequest, invalidArgument, unauthenticated, undecodableRequest } from "../errors.js";
import { UndecodableRequest } from "../grpc-definition.js";
import { toConnectError } from "../infrastructure-errors.js";
import { serverDuration, serverRequests } from "../metrics.js";
import { boundViolations } from "../request-bounds.js";
import { idempotencyKeyPattern, type RequestValidator } from "../validate.js";
import { headerGetter } from "./metadata-carrier.js";
import { type Interceptor, observeEnd } from "./types.js";

const tracer = trace.getTracer("@marquee/mesh");

/**
 * A mesh service's server pipeline, outermost first (the BFF runs the same steps but validation, which it
 * leaves to the service it forwards to). The order matters:
 * 1. tracing first, so every later step (and its logs) runs inside the call's span, continued from the
 *    caller's `traceparent`;
 * 2. observing next, so the metrics and the log line count every outcome, refusals included;
 * 3. error mapping before any step that can throw, so whatever escapes becomes a gRPC status with details,
 *    and an unexpected error is logged with its cause and answered INTERNAL without it;
 * 4. a request whose bytes did not decode, or whose `idempotency-key` could not be sent on, is refused
 *    before anything reads it;
 * 5. authentication, then access: the access check needs the principal;
 * 6. validation last, so an anonymous caller learns nothing about the request shape, and the handler
 *    only ever sees valid input.
 */
export function serverPipeline(options: {
  readonly verifier: TokenVerifier;
  readonly validators: ReadonlyMap<string, RequestValidator>;
}): Interceptor[] {
  return [
    tracing("grpc"),
    observing(),
    mappingErrors(),
    refusingUndecodable(),
    checkingHeaders(),
    authenticating(options.verifier),
    authorizing(),
    validating(options.validators),
  ];
}

/**
 * Starts the call's SERVER span, continuing the caller's `traceparent`, and runs the rest of the pipeline
 * inside it — every pull of a stream included — so logs carry its trace id and upstream calls continue
 * it. `system` is the `rpc.system` the span reports: `grpc` for a service, `connect_rpc` for the BFF.
 */
export function tracing(system: "grpc" | "connect_rpc"): Interceptor {
  return (next) => (call) => {
    const parent = propagation.extract(otelContext.active(), call.header, headerGetter);
    const name = `${call.method.parent.typeName}/${call.method.name}`;
    return tracer.startActiveSpan(
      name,
      {
        kind: SpanKind.SERVER,
        attributes: {
          "rpc.system": system,
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

/**
 * Counts every call in the RED metrics (`marquee_rpc_server_requests_total`, `…_duration_seconds`, the
 * same in every process) and writes one JSON log line when it ends — code, duration, caller, and what
 * the transport adds — refusals by later steps included.
 */
export function observing(): Interceptor {
  return (next) => (call) => {
    const service = call.method.parent.typeName;
    const method = call.method.name;
    const stopTimer = serverDuration.startTimer({ service, method });
    return observeEnd(next(call), (error) => {
      const seconds = stopTimer();
      const code = error === undefined ? "OK" : Code[ConnectError.from(error).code];
      serverRequests.inc({ service, method, code });
      call.context.log.info(
        {
          rpc: `${service}/${method}`,
          code,
          ms: Math.round(seconds * 1000),
          subject: call.context.principal?.subject,
          ...call.attributes,
        },
        "rpc",
      );
    });
  };
}

/**
 * Turns whatever escapes the steps after it into a ConnectError with details; an unexpected error is
 * logged with its cause and answered INTERNAL without it.
 */
export function mappingErrors(): Interceptor {
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

/** Answers INVALID_ARGUMENT to a request the server's decoder could not decode (see `UndecodableRequest`). */
export function refusingUndecodable(): Interceptor {
  return (next) => async (call) => {
    if (call.request instanceof UndecodableRequest)
      throw undecodableRequest(call.request.method.input.typeName, call.request.reason);
    return next(call);
  };
}

/**
 * Refuses a call whose `idempotency-key` is not 1 to 128 printable ASCII characters
 * (`idempotencyKeyPattern`) with INVALID_ARGUMENT naming the header. The key does not stay here: a
 * handler, or the BFF's forwarding, sends it on in grpc-js Metadata, whose `set` throws on any other
 * character (an INTERNAL far from its cause), and a store keeps it beside what it made. So it is judged
 * where it arrives, as a field of the request would be.
 */
export function checkingHeaders(): Interceptor {
  return (next) => async (call) => {
    const key = call.context.idempotencyKey;
    if (key !== undefined && !idempotencyKeyPattern.test(key)) {
      throw invalidArgument("idempotency-key", "must be 1 to 128 printable ASCII characters");
    }
    return next(call);
  };
}

/**
 * Verifies the caller's bearer token against the JWKS and puts its principal in the call's context. A
 * token that fails verification is refused even on a PUBLIC RPC, and so is an `authorization` header
 * that is not a bearer token: a caller who meant to sign in must learn that it did not work.
 */
export function authenticating(verifier: TokenVerifier): Interceptor {
  return (next) => async (call) => {
    const header = call.header.get("authorization");
    if (header === undefined) return next(call);
    const token = bearerToken(header);
    if (token === undefined) throw unauthenticated('the authorization header must be "Bearer <token>"');
    const principal = await verifier.verify(token);
    return next({ ...call, context: { ...call.context, principal } });
  };
}

/**
 * Checks the RPC's `access` option against the principal: anonymous callers reach PUBLIC RPCs only
 * (UNAUTHENTICATED otherwise), signed-in ones what their role or partner scopes allow (PERMISSION_DENIED).
 */
export function authorizing(): Interceptor {
  return (next) => async (call) => {
    authorize(call.method, call.context.principal);
    return next(call);
  };
}

/**
 * Refuses a request that breaks its bounds (sizes, NUL characters, enum values, time ranges: see
 * `boundViolations`), then one its message's rules reject, with INVALID_ARGUMENT naming every bad field.
 */
export function validating(validators: ReadonlyMap<string, RequestValidator>): Interceptor {
  return (next) => async (call) => {
    const validator = validators.get(call.method.input.typeName);
    if (call.method.methodKind === "unary" || call.method.methodKind === "server_streaming") {
      const outOfBounds = boundViolations(call.method.input, call.request as Message, validator?.limits);
      if (outOfBounds.length > 0) throw badRequest(outOfBounds);
    }
    if (validator !== undefined) {
      const violations = validator.validate(call.request as never);
      if (violations.length > 0) throw badRequest(violations);
    }
    return next(call);
  };
}
