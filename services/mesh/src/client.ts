import {
  create,
  type DescMessage,
  type DescMethod,
  type DescService,
  type Message,
  type MessageInitShape,
  type MessageShape,
} from "@bufbuild/protobuf";
import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  type ChannelOptions,
  Client,
  credentials,
  Metadata,
  type MethodDefinition,
  type ServiceError,
} from "@grpc/grpc-js";
import { context as otelContext, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  type IPolicy,
  retry,
  wrap,
} from "cockatiel";
import { Audience, accessOf } from "./access.js";
import { currentCall, remainingMs } from "./context.js";
import { grpcDefinitionOf, grpcPathOf } from "./grpc-definition.js";
import { fromGrpcError, wasCutInTransit } from "./grpc-status.js";
import { metadataSetter } from "./interceptors/metadata-carrier.js";
import { breakerState, clientDuration, clientRequests, clientRetries } from "./metrics.js";

/** Per-call choices; everything has a default. */
export interface CallOptions {
  /** Overall time for the call, retries included; capped by the current call's remaining deadline. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Bearer token to send instead of the one chosen by the rules of `createClient`. */
  readonly token?: string;
  /** Sent as the `idempotency-key` header. */
  readonly idempotencyKey?: string;
  /**
   * More request headers, sent as given: lower-case ASCII names, text values (not `-bin`). For what a
   * caller tells the upstream about the call beyond the request — the BFF's `clientIpHeader`. Not
   * `authorization` nor `idempotency-key`, which have their options above (naming them fails the call);
   * the trace context the client writes replaces any sent here.
   */
  readonly headers?: Readonly<Record<string, string>>;
}

type ClientMethod<M> = M extends {
  methodKind: infer Kind;
  input: infer I extends DescMessage;
  output: infer O extends DescMessage;
}
  ? Kind extends "unary"
    ? (request: MessageInitShape<I>, options?: CallOptions) => Promise<MessageShape<O>>
    : Kind extends "server_streaming"
      ? (request: MessageInitShape<I>, options?: CallOptions) => AsyncIterable<MessageShape<O>>
      : never
  : never;

/** A typed client of one service: one method per RPC, by local name (`holdSeats`). */
export type MeshClient<S extends DescService> = (S extends GenService<infer Methods extends GenServiceMethods>
  ? { [K in keyof Methods]: ClientMethod<Methods[K]> }
  : never) & {
  /** Closes the channel. */
  close(): void;
  /** The breaker's state for this upstream (for tests and dashboards). */
  readonly breakerState: () => CircuitState;
};

export interface ClientOptions {
  /** `host:port` of the upstream. */
  readonly address: string;
  /** Name of the upstream in metrics and logs. @default the service's type name */
  readonly upstream?: string;
  /**
   * Mints this process's service token (`createServiceTokenMinter`). Used for INTERNAL RPCs, and for
   * calls made outside any incoming call (background work). Inside a call, the caller's token is forwarded.
   */
  readonly serviceToken?: () => Promise<string>;
  /** Overall deadline of a call when the caller sets none. @default 5000 */
  readonly timeoutMs?: number;
  /** Deadline of each attempt. @default timeoutMs */
  readonly attemptTimeoutMs?: number;
  /** Retries of UNAVAILABLE on idempotent RPCs. @default { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 1000 } */
  readonly retry?: { readonly maxAttempts: number; readonly initialDelayMs: number; readonly maxDelayMs: number };
  /** Opens after this many consecutive upstream failures; half-opens after halfOpenAfterMs. @default { consecutiveFailures: 5, halfOpenAfterMs: 5000 } */
  readonly breaker?: { readonly consecutiveFailures: number; readonly halfOpenAfterMs: number };
  readonly channelOptions?: ChannelOptions;
}

const tracer = trace.getTracer("@marquee/mesh");

/** The headers a call's own options set, which `CallOptions.headers` must not name. */
const ownHeaders: ReadonlySet<string> = new Set(["authorization", "idempotency-key"]);

/** Failures that say the upstream is unwell (not that the request was wrong): what the breaker counts. */
const upstreamFailures = new Set<Code>([Code.Unavailable, Code.DeadlineExceeded]);

/**
 * A typed grpc-js client from a service descriptor. Every call gets a deadline (its own, the client's
 * default, or the caller's remaining one, whichever is soonest) and a bearer token: the caller's token
 * when called inside an RPC (identity propagates), the service token for INTERNAL RPCs and background
 * work. Its W3C trace context is sent along.
 *
 * Policies, outermost first: **retry** (exponential backoff with decorrelated jitter, only on UNAVAILABLE
 * and only for RPCs whose `idempotency_level` is NO_SIDE_EFFECTS or IDEMPOTENT — anything else may have
 * taken effect) wraps the **circuit breaker** (one per client, i.e. per upstream, so a dead upstream fails
 * fast instead of queueing calls) wraps the **per-attempt deadline**, sent on the wire so the upstream
 * stops working when nobody waits. Retry outside the breaker means an open breaker ends the retries at
 * once; the deadline inside means each attempt, not the whole call, is bounded by `attemptTimeoutMs`.
 */
export function createClient<S extends DescService>(service: S, options: ClientOptions): MeshClient<S> {
  const upstream = options.upstream ?? service.typeName;
  const timeoutMs = options.timeoutMs ?? 5000;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? timeoutMs;
  const retrySettings = options.retry ?? { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 1000 };
  const breakerSettings = options.breaker ?? { consecutiveFailures: 5, halfOpenAfterMs: 5000 };
  const definition = grpcDefinitionOf(service);
  // OpenTelemetry's RPC conventions name the server a CLIENT span calls.
  const portAt = options.address.lastIndexOf(":");
  const serverAttributes =
    portAt > 0
      ? { "server.address": options.address.slice(0, portAt), "server.port": Number(options.address.slice(portAt + 1)) }
      : { "server.address": options.address };
  const channel = new Client(options.address, credentials.createInsecure(), {
    // grpc-js waits 1 s before reconnecting to a refused address, longer than our retries wait: a mesh
    // upstream that restarts should be reachable again within the retry budget.
    "grpc.initial_reconnect_backoff_ms": 100,
    "grpc.max_reconnect_backoff_ms": 2000,
    ...options.channelOptions,
  });

  const breaker = circuitBreaker(
    handleWhen((error) => error instanceof ConnectError && upstreamFailures.has(error.code)),
    {
      halfOpenAfter: breakerSettings.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(breakerSettings.consecutiveFailures),
    },
  );
  const stateValue: Record<CircuitState, number> = {
    [CircuitState.Closed]: 0,
    [CircuitState.HalfOpen]: 1,
    [CircuitState.Open]: 2,
    [CircuitState.Isolated]: 2,
  };
  breakerState.set({ upstream }, 0);
  breaker.onStateChange((state) => breakerState.set({ upstream }, stateValue[state]));
  const retrying = retry(
    handleWhen((error) => error instanceof ConnectError && error.code === Code.Unavailable),
    {
      maxAttempts: retrySettings.maxAttempts - 1,
      backoff: new ExponentialBackoff({
        initialDelay: retrySettings.initialDelayMs,
        maxDelay: retrySettings.maxDelayMs,
      }),
    },
  );
  const idempotentPolicy = wrap(retrying, breaker);

  const policyFor = (method: DescMethod): IPolicy =>
    method.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS ||
    method.idempotency === MethodOptions_IdempotencyLevel.IDEMPOTENT
      ? idempotentPolicy
      : breaker;

  async function metadataFor(method: DescMethod, callOptions: CallOptions): Promise<Metadata> {
    const metadata = new Metadata();
    for (const [name, value] of Object.entries(callOptions.headers ?? {})) {
      if (ownHeaders.has(name)) throw new Error(`${name} is set through its own call option, not headers`);
      metadata.set(name, value);
    }
    const token = callOptions.token ?? (await tokenFor(method));
    if (token !== undefined) metadata.set("authorization", `Bearer ${token}`);
    if (callOptions.idempotencyKey !== undefined) metadata.set("idempotency-key", callOptions.idempotencyKey);
    propagation.inject(otelContext.active(), metadata, metadataSetter);
    return metadata;
  }

  async function tokenFor(method: DescMethod): Promise<string | undefined> {
    const caller = currentCall()?.principal;
    if (accessOf(method).audience === Audience.INTERNAL || caller === undefined) {
      if (options.serviceToken !== undefined) return options.serviceToken();
      if (accessOf(method).audience === Audience.INTERNAL) {
        throw new ConnectError(`${method.name} is internal and this client has no service token`, Code.Internal);
      }
      return undefined;
    }
    return caller.token;
  }

  function overallDeadlineOf(callOptions: CallOptions): number {
    return Date.now() + Math.min(callOptions.timeoutMs ?? timeoutMs, remainingMs());
  }

  function unary(method: DescMethod) {
    const path = grpcPathOf(method);
    const codec = definition[method.localName] as MethodDefinition<Message, Message>;
    const policy = policyFor(method);
    return async (request: MessageInitShape<DescMessage>, callOptions: CallOptions = {}): Promise<Message> => {
      const message = create(method.input, request);
      const overallDeadline = overallDeadlineOf(callOptions);
      const stopTimer = clientDuration.startTimer({ upstream, method: method.name });
      return tracer.startActiveSpan(
        `${method.parent.typeName}/${method.name}`,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            "rpc.system": "grpc",
            "rpc.service": method.parent.typeName,
            "rpc.method": method.name,
            ...serverAttributes,
          },
        },
        async (span) => {
          let attempts = 0;
          try {
            // Inside the try, so metadata that cannot be built (no service token, a bad key) still ends the span.
            const metadata = await metadataFor(method, callOptions);
            const response = await policy.execute(({ signal }) => {
              if (attempts++ > 0) clientRetries.inc({ upstream, method: method.name });
              const deadline = Math.min(overallDeadline, Date.now() + attemptTimeoutMs);
              if (deadline <= Date.now())
                throw new ConnectError("deadline exceeded before the call", Code.DeadlineExceeded);
              return new Promise<Message>((resolve, reject) => {
                const cancel = () => call.cancel();
                const call = channel.makeUnaryRequest(
                  path,
                  codec.requestSerialize,
                  codec.responseDeserialize,
                  message,
                  metadata,
                  { deadline },
                  (error: ServiceError | null, response?: Message) => {
                    // `signal` is the caller's, or cockatiel's one never-aborted signal for the whole
                    // process: a listener left on it would keep this finished call (metadata, messages)
                    // reachable for as long as the signal lives — forever, for calls without one.
                    signal.removeEventListener("abort", cancel);
                    clientRequests.inc({
                      upstream,
                      method: method.name,
                      code: error ? Code[error.code as number as Code] : "OK",
                    });
                    if (error) reject(fromGrpcError(error));
                    else resolve(response as Message);
                  },
                );
                signal.addEventListener("abort", cancel, { once: true });
              });
            }, callOptions.signal);
            // OK: grpc's status 0, as the RPC conventions record it.
            span.setAttribute("rpc.grpc.status_code", 0);
            if (attempts > 1) span.setAttribute("marquee.rpc.attempts", attempts);
            return response;
          } catch (error) {
            const mapped =
              error instanceof BrokenCircuitError
                ? new ConnectError(
                    `${upstream} is failing; circuit open`,
                    Code.Unavailable,
                    undefined,
                    undefined,
                    error,
                  )
                : wasCutInTransit(ConnectError.from(error))
                  ? outcomeUnknown(method, upstream, ConnectError.from(error))
                  : ConnectError.from(error);
            span.setAttribute("rpc.grpc.status_code", mapped.code);
            span.setStatus({ code: SpanStatusCode.ERROR, message: mapped.rawMessage });
            if (attempts > 1) span.setAttribute("marquee.rpc.attempts", attempts);
            throw mapped;
          } finally {
            stopTimer();
            span.end();
          }
        },
      );
    };
  }

  function serverStreaming(method: DescMethod) {
    const path = grpcPathOf(method);
    const codec = definition[method.localName] as MethodDefinition<Message, Message>;
    return (request: MessageInitShape<DescMessage>, callOptions: CallOptions = {}): AsyncIterable<Message> => {
      const message = create(method.input, request);
      // Streams such as WatchAvailability live long: only an explicit or inherited deadline applies.
      const limitMs = Math.min(callOptions.timeoutMs ?? Number.POSITIVE_INFINITY, remainingMs());
      return {
        async *[Symbol.asyncIterator]() {
          const metadata = await metadataFor(method, callOptions);
          const call = channel.makeServerStreamRequest(
            path,
            codec.requestSerialize,
            codec.responseDeserialize,
            message,
            metadata,
            Number.isFinite(limitMs) ? { deadline: Date.now() + limitMs } : {},
          );
          const cancel = () => call.cancel();
          callOptions.signal?.addEventListener("abort", cancel, { once: true });
          try {
            for await (const response of call) yield response as Message;
          } catch (error) {
            throw fromGrpcError(error as ServiceError);
          } finally {
            // The caller's signal may outlive the stream (a watcher's shutdown signal): leave nothing on it.
            callOptions.signal?.removeEventListener("abort", cancel);
            call.cancel();
          }
        },
      };
    };
  }

  const client: Record<string, unknown> = {
    close: () => channel.close(),
    breakerState: () => breaker.state,
  };
  for (const method of service.methods) {
    if (method.methodKind === "unary") client[method.localName] = unary(method);
    else if (method.methodKind === "server_streaming") client[method.localName] = serverStreaming(method);
  }
  return client as MeshClient<S>;
}

/**
 * The error for a call whose connection failed after it was sent: UNAVAILABLE, saying that it may have
 * taken effect and how to learn whether it did, so that no caller reads it as "nothing happened".
 */
function outcomeUnknown(method: DescMethod, upstream: string, cause: ConnectError): ConnectError {
  return new ConnectError(
    `${method.parent.typeName}/${method.name}: the connection to ${upstream} failed during the call (${cause.rawMessage}); it may have taken effect: read the resource to see, or repeat the call with the same idempotency-key`,
    Code.Unavailable,
    undefined,
    undefined,
    cause,
  );
}
