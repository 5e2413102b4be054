import type { DescMethod, DescMethodServerStreaming, DescMethodUnary, Message } from "@bufbuild/protobuf";
import { ConnectError, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import {
  Audience,
  accessOf,
  arrivingCall,
  type CallOptions,
  chain,
  clientIpHeader,
  headersReader,
  type Interceptor,
  invoking,
  type Logger,
  type ServerCall,
} from "@marquee/mesh";
import { peerAddressKey } from "./call-values.js";
import { isInternalMethod } from "./contract.js";
import { clientAddressOf } from "./rate-limit/client-address.js";
import type { Upstream } from "./upstreams.js";

/** How the forwarding serves each call. */
export interface ForwardingOptions {
  /**
   * The longest a unary call may take, whatever deadline its caller set (none is the same as too
   * long). Server streams are bounded by the caller's deadline only: they live as long as the caller
   * watches.
   */
  readonly maxUnaryTimeoutMs: number;
  /** The steps every call goes through before it is forwarded (see `pipeline`). */
  readonly interceptors: readonly Interceptor[];
  readonly log: Logger;
  /**
   * Tells the upstream which client each anonymous call comes from, for limits it keeps per client IP
   * (identity's sign-in throttle): see {@link ClientAddressForwarding}. Undefined: calls go as they came.
   */
  readonly clientAddress?: ClientAddressForwarding;
}

/**
 * How the BFF vouches for a client's address. An anonymous call to a PUBLIC RPC goes with the BFF's own
 * service token and the client's address in `clientIpHeader`, which the upstream believes from the BFF
 * only (anyone else could write any address there). A signed-in caller's call keeps the caller's token,
 * so the upstream would not believe the header, and it is not sent; and an anonymous call to any other
 * RPC — which the access step refuses before it gets here — never borrows the service token, which
 * passes every access check.
 */
export interface ClientAddressForwarding {
  /** The BFF's service token (`sub: svc:bff`). */
  readonly serviceToken: () => Promise<string>;
  /** `TRUST_PROXY`, read as the per-IP rate limits read it (`clientAddressOf`). */
  readonly isBehindProxy: boolean;
}

/**
 * Registers on `router` one handler per RPC of the upstream's service, built from its descriptor: no
 * code per RPC. INTERNAL RPCs are not registered at all, so they answer 404 / UNIMPLEMENTED like any
 * unknown path. Each call runs the mesh's interceptors — the same steps a mesh service runs — then the
 * mesh client with the caller's token (verified by the pipeline), deadline, cancellation and
 * `idempotency-key` — or, for an anonymous call with `clientAddress`, the BFF's token and the client's
 * address; the trace context travels because the forwarding runs in the call's span. Upstream errors
 * pass through as they came: code, message and details.
 */
export function forward(router: ConnectRouter, upstream: Upstream, options: ForwardingOptions): void {
  for (const method of upstream.service.methods) {
    if (isInternalMethod(method)) continue;
    const call = upstream.client[method.localName];
    if (call === undefined) throw new Error(`the mesh client of ${describe(method)} has no method for it`);
    switch (method.methodKind) {
      case "unary": {
        const unary = call as (request: Message, options: CallOptions) => Promise<Message>;
        const serve = chain(options.interceptors, (served) =>
          invoking(async (request: Message) =>
            unary(request, await callOptionsOf(served, options.maxUnaryTimeoutMs, options.clientAddress)),
          )(served),
        );
        router.rpc(method as DescMethodUnary, (request: Message, context: HandlerContext) =>
          (serve(servedCall(method, request, context, options.log)) as Promise<Message>).catch((error: unknown) => {
            throw reasonOf(error, context.signal);
          }),
        );
        break;
      }
      case "server_streaming": {
        const stream = call as (request: Message, options: CallOptions) => AsyncIterable<Message>;
        const serve = chain(options.interceptors, (served) =>
          // A stream, not a promise of one: invoking pulls a returned stream inside the call's trace
          // context, so the options are awaited as the first message is pulled.
          invoking(async function* (request: Message) {
            yield* stream(request, await callOptionsOf(served, Number.POSITIVE_INFINITY, options.clientAddress));
          })(served),
        );
        router.rpc(method as DescMethodServerStreaming, async function* (request: Message, context: HandlerContext) {
          try {
            yield* (await serve(servedCall(method, request, context, options.log))) as AsyncIterable<Message>;
          } catch (error) {
            throw reasonOf(error, context.signal);
          }
        });
        break;
      }
      default:
        // The mesh clients forward unary and server-streaming RPCs; the contract declares no other kind.
        throw new Error(`${describe(method)} is ${method.methodKind}, which the BFF cannot forward`);
    }
  }
}

/** The call as the mesh's interceptors see it, from connect-node's handler context. */
function servedCall(method: DescMethod, request: Message, context: HandlerContext, log: Logger): ServerCall {
  const header = headersReader(context.requestHeader);
  return {
    method,
    request,
    header,
    context: arrivingCall({
      method,
      header,
      signal: context.signal,
      deadlineMs: Date.now() + (context.timeoutMs() ?? Number.POSITIVE_INFINITY),
      log,
    }),
    attributes: {
      protocol: protocolOf(context.requestHeader.get("content-type")),
      peer: context.values.get(peerAddressKey),
    },
  };
}

/** What the mesh client needs from the incoming call, as the pipeline passed it on. */
async function callOptionsOf(
  call: ServerCall,
  maxTimeoutMs: number,
  clientAddress: ClientAddressForwarding | undefined,
): Promise<CallOptions> {
  const { context } = call;
  const timeoutMs = Math.min(context.deadlineMs - Date.now(), maxTimeoutMs);
  const options: CallOptions = {
    signal: context.signal,
    ...(context.principal ? { token: context.principal.token } : {}),
    ...(Number.isFinite(timeoutMs) ? { timeoutMs } : {}),
    ...(context.idempotencyKey === undefined ? {} : { idempotencyKey: context.idempotencyKey }),
  };
  if (clientAddress === undefined || context.principal || accessOf(call.method).audience !== Audience.PUBLIC) {
    return options;
  }
  const address = clientAddressOf(call.attributes?.peer, call.header, clientAddress.isBehindProxy);
  return {
    ...options,
    token: await clientAddress.serviceToken(),
    ...(address === undefined ? {} : { headers: { [clientIpHeader]: address } }),
  };
}

/** The protocol of a request, from its content type; connect's handlers are not told. */
function protocolOf(contentType: string | null): string {
  if (contentType?.startsWith("application/grpc-web")) return "grpc-web";
  if (contentType?.startsWith("application/grpc")) return "grpc";
  return "connect";
}

/**
 * Why a call failed. When the BFF's side ended it first — the caller's deadline passed, or shutdown
 * ended the drain — the mesh client cancelled the upstream call, which then fails CANCELLED; the
 * reason connect aborted the call with (DEADLINE_EXCEEDED, UNAVAILABLE) is the one the caller must see.
 */
function reasonOf(error: unknown, signal: AbortSignal): unknown {
  return signal.aborted && signal.reason instanceof ConnectError ? signal.reason : error;
}

function describe(method: DescMethod): string {
  return `${method.parent.typeName}.${method.name}`;
}
