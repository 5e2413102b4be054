import { once } from "node:events";
import { create, type DescMethod, type DescService, type Message } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import {
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
  type UntypedHandleCall,
} from "@grpc/grpc-js";
import { ServerReflection as ServerReflectionV1 } from "@marquee/proto/grpc/reflection/v1/reflection_pb.js";
import { ServerReflection as ServerReflectionV1alpha } from "@marquee/proto/grpc/reflection/v1alpha/reflection_pb.js";
import { accessOf } from "./access.js";
import type { TokenVerifier } from "./auth/verify-token.js";
import { arrivingCall, type CallContext } from "./context.js";
import { undecodableRequest } from "./errors.js";
import { grpcDefinitionOf, UndecodableRequest } from "./grpc-definition.js";
import { toGrpcStatus } from "./grpc-status.js";
import type { ServiceHandlers } from "./handlers.js";
import { Health, HealthState, type ReadinessProbe } from "./health.js";
import { metadataReader } from "./interceptors/metadata-carrier.js";
import { serverPipeline } from "./interceptors/server-pipeline.js";
import { chain, type HeaderReader, invoking, type ServerCall, type ServerNext } from "./interceptors/types.js";
import type { Logger } from "./logger.js";
import { createReflection } from "./reflection.js";
import type { RequestValidator } from "./validate.js";

/** One service a server serves: its descriptor, a handler per RPC, and the validators of its requests. */
export interface ServiceImplementation<S extends DescService = DescService> {
  readonly service: S;
  readonly handlers: ServiceHandlers<S>;
  readonly validators: readonly RequestValidator[];
}

/** Pairs a service with its handlers and validators, checking the handler types against the descriptor. */
export function implement<S extends DescService>(
  service: S,
  handlers: ServiceHandlers<S>,
  validators: readonly RequestValidator[] = [],
): ServiceImplementation<S> {
  return { service, handlers, validators };
}

export interface ServerOptions {
  /** The services to serve; health and reflection are added. */
  readonly services: readonly ServiceImplementation[];
  /** Verifies bearer tokens (see `createTokenVerifier`). */
  readonly verifier: TokenVerifier;
  readonly log: Logger;
  /** What must be reachable for the process to report SERVING. */
  readonly readiness?: readonly ReadinessProbe[];
  /** Largest request or response message, in bytes. @default 4 MiB */
  readonly maxMessageBytes?: number;
}

/** A started Marquee gRPC server. */
export interface MeshServer {
  /** The port it listens on. */
  readonly port: number;
  readonly health: HealthState;
  /**
   * Graceful stop: reports NOT_SERVING, refuses new calls, waits up to `graceMs` for in-flight calls
   * (streams included), then cancels what is left.
   */
  shutdown(graceMs?: number): Promise<void>;
}

/**
 * Starts a grpc-js server for the given services on `port` (0 picks a free one), with `grpc.health.v1`,
 * server reflection (v1 and v1alpha), and the pipeline of `serverPipeline` in front of every handler.
 */
export async function startServer(options: ServerOptions, port: number, host = "0.0.0.0"): Promise<MeshServer> {
  const maxMessageBytes = options.maxMessageBytes ?? 4 * 1024 * 1024;
  const server = new Server({
    "grpc.max_receive_message_length": maxMessageBytes,
    "grpc.max_send_message_length": maxMessageBytes,
  });
  const served = options.services.map((s) => s.service);
  const health = new HealthState(
    served.map((s) => s.typeName),
    options.readiness ?? [],
  );
  const reflection = createReflection([...served, Health, ServerReflectionV1, ServerReflectionV1alpha]);
  const builtIn: ServiceImplementation[] = [
    implement(Health, health.handlers()),
    implement(ServerReflectionV1, {
      serverReflectionInfo: (requests) => mapStream(requests, (request) => reflection.respond(request)),
    }),
    implement(ServerReflectionV1alpha, {
      serverReflectionInfo: (requests) => mapStream(requests, (request) => reflection.respondV1alpha(request)),
    }),
  ];
  const validators = new Map<string, RequestValidator>();
  for (const implementation of options.services) {
    for (const validator of implementation.validators) validators.set(validator.schema.typeName, validator);
  }
  const interceptors = serverPipeline({ verifier: options.verifier, validators });

  for (const implementation of [...options.services, ...builtIn]) {
    const handlers = implementation.handlers as Record<string, (request: never, context: CallContext) => unknown>;
    const grpcHandlers: Record<string, UntypedHandleCall> = {};
    for (const method of implementation.service.methods) {
      accessOf(method); // refuses to start with an RPC that declares no access
      const handler = handlers[method.localName];
      if (handler === undefined) throw new Error(`no handler for ${implementation.service.typeName}.${method.name}`);
      const pipeline = chain(interceptors, invoking(handler));
      grpcHandlers[method.localName] = adapt(method, pipeline, options.log);
    }
    server.addService(grpcDefinitionOf(implementation.service), grpcHandlers);
  }

  const boundPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  options.log.info({ port: boundPort, services: served.map((s) => s.typeName) }, "serving");

  return {
    port: boundPort,
    health,
    async shutdown(graceMs = 10_000) {
      health.markShuttingDown();
      const drained = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      const timer = setTimeout(() => server.forceShutdown(), graceMs);
      await drained;
      clearTimeout(timer);
    },
  };
}

/** grpc-js's handler for one method, feeding the pipeline and writing its result or error. */
function adapt(method: DescMethod, pipeline: ServerNext, log: Logger): UntypedHandleCall {
  const run = (
    call:
      | ServerUnaryCall<Message, Message>
      | ServerWritableStream<Message, Message>
      | ServerDuplexStream<Message, Message>,
    request: unknown,
    settled: () => boolean,
  ) => {
    const header = metadataReader(call.metadata);
    return pipeline({
      method,
      request,
      context: callContextOf(call, header, method, log, settled),
      header,
    } satisfies ServerCall);
  };

  if (method.methodKind === "unary") {
    return (call: ServerUnaryCall<Message, Message>, callback: sendUnaryData<Message>) => {
      let answered = false;
      run(call, call.request, () => answered).then(
        (response) => {
          answered = true;
          callback(null, create(method.output, response as never));
        },
        (error: unknown) => {
          answered = true;
          callback(toGrpcStatus(ConnectError.from(error)));
        },
      );
    };
  }
  return (call: ServerWritableStream<Message, Message> | ServerDuplexStream<Message, Message>) => {
    const request =
      method.methodKind === "bidi_streaming" ? call : (call as ServerWritableStream<Message, Message>).request;
    (async () => {
      const responses = (await run(call, request, () => false)) as AsyncIterable<unknown>;
      for await (const response of responses) {
        if (call.cancelled) break;
        if (!call.write(create(method.output, response as never))) await once(call, "drain");
      }
      call.end();
    })().catch((error: unknown) => {
      // grpc-js turns an 'error' event on a server stream into the call's status.
      if (!call.cancelled) call.emit("error", toGrpcStatus(ConnectError.from(error)));
    });
  };
}

function callContextOf(
  call: { getDeadline(): Date | number; on(event: "cancelled", fn: () => void): unknown },
  header: HeaderReader,
  method: DescMethod,
  log: Logger,
  settled: () => boolean,
): CallContext {
  const controller = new AbortController();
  // grpc-js says "cancelled" after every call, answered ones too; aborting then would only cost an error
  // object per call (a few % of a hold's CPU), with nobody left listening.
  call.on("cancelled", () => {
    if (!settled()) controller.abort();
  });
  const deadline = call.getDeadline();
  return arrivingCall({
    method,
    header,
    signal: controller.signal,
    deadlineMs: deadline instanceof Date ? deadline.getTime() : deadline,
    log,
  });
}

async function* mapStream<I, O>(source: AsyncIterable<I>, fn: (item: I) => O): AsyncIterable<O> {
  for await (const item of source) {
    if (item instanceof UndecodableRequest) throw undecodableRequest(item.method.input.typeName, item.reason);
    yield fn(item);
  }
}
