import type { DescMethod, DescMethodServerStreaming, DescMethodUnary, Message } from "@bufbuild/protobuf";
import { ConnectError, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import type { CallOptions } from "@marquee/mesh";
import { principalKey } from "./call-values.js";
import { isInternalMethod } from "./contract.js";
import type { Upstream } from "./upstreams.js";

/** Limits the forwarding applies. */
export interface ForwardingOptions {
  /**
   * The longest a unary call may take, whatever deadline its caller set (none is the same as too
   * long). Server streams are bounded by the caller's deadline only: they live as long as the caller
   * watches.
   */
  readonly maxUnaryTimeoutMs: number;
}

/**
 * Registers on `router` one handler per RPC of the upstream's service, built from its descriptor: no
 * code per RPC. INTERNAL RPCs are not registered at all, so they answer 404 / UNIMPLEMENTED like any
 * unknown path. Each handler calls the mesh client with the caller's token (verified by the pipeline),
 * deadline, cancellation and `idempotency-key`; the trace context travels because the handler runs in
 * the call's span. Upstream errors pass through as they came: code, message and details.
 */
export function forward(router: ConnectRouter, upstream: Upstream, options: ForwardingOptions): void {
  for (const method of upstream.service.methods) {
    if (isInternalMethod(method)) continue;
    const call = upstream.client[method.localName];
    if (call === undefined) throw new Error(`the mesh client of ${describe(method)} has no method for it`);
    switch (method.methodKind) {
      case "unary": {
        const unary = call as (request: Message, options: CallOptions) => Promise<Message>;
        router.rpc(method as DescMethodUnary, (request: Message, context: HandlerContext) =>
          unary(request, callOptionsOf(context, options.maxUnaryTimeoutMs)).catch((error: unknown) => {
            throw reasonOf(error, context.signal);
          }),
        );
        break;
      }
      case "server_streaming": {
        const stream = call as (request: Message, options: CallOptions) => AsyncIterable<Message>;
        router.rpc(method as DescMethodServerStreaming, async function* (request: Message, context: HandlerContext) {
          try {
            yield* stream(request, callOptionsOf(context, Number.POSITIVE_INFINITY));
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

/** What the mesh client needs from the incoming call. */
function callOptionsOf(context: HandlerContext, maxTimeoutMs: number): CallOptions {
  const timeoutMs = Math.min(context.timeoutMs() ?? Number.POSITIVE_INFINITY, maxTimeoutMs);
  const idempotencyKey = context.requestHeader.get("idempotency-key");
  return {
    signal: context.signal,
    token: context.values.get(principalKey)?.token,
    ...(Number.isFinite(timeoutMs) ? { timeoutMs } : {}),
    ...(idempotencyKey === null ? {} : { idempotencyKey }),
  };
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
