import { AsyncLocalStorage } from "node:async_hooks";
import type { DescMethod } from "@bufbuild/protobuf";
import type { Logger } from "./logger.js";
import type { Principal } from "./principal.js";

/**
 * What a handler knows about the call it serves. It also travels implicitly (AsyncLocalStorage) so that a
 * mesh client called from inside a handler forwards the caller's token and remaining deadline without
 * the handler passing them along: a deadline set by the first caller reaches the third hop.
 */
export interface CallContext {
  /** The RPC being served. */
  readonly method: DescMethod;
  /** The verified caller; undefined for anonymous calls to PUBLIC RPCs. */
  readonly principal: Principal | undefined;
  /** When the caller stops waiting, in epoch milliseconds; Infinity when it set no deadline. */
  readonly deadlineMs: number;
  /** Aborted when the caller cancels or the deadline passes. */
  readonly signal: AbortSignal;
  /** The `idempotency-key` request header, when the caller sent one. */
  readonly idempotencyKey: string | undefined;
  /** Request metadata (lower-case keys; `-bin` values excluded). */
  readonly headers: ReadonlyMap<string, string>;
  /** A logger whose lines carry the RPC name and the trace id. */
  readonly log: Logger;
}

/**
 * The context of a call as it arrives, before authentication: what the server (grpc-js) and the BFF
 * (connect-node) know of it. The `authorization` header is kept out of `headers`; the principal is the
 * only form of it a handler sees.
 */
export function arrivingCall(arrival: {
  readonly method: DescMethod;
  readonly header: { get(name: string): string | undefined; keys(): Iterable<string> };
  readonly signal: AbortSignal;
  readonly deadlineMs: number;
  readonly log: Logger;
}): CallContext {
  const headers = new Map<string, string>();
  for (const key of arrival.header.keys()) {
    const value = arrival.header.get(key);
    if (value !== undefined && key !== "authorization") headers.set(key, value);
  }
  const { method } = arrival;
  return {
    method,
    principal: undefined,
    deadlineMs: arrival.deadlineMs,
    signal: arrival.signal,
    idempotencyKey: headers.get("idempotency-key"),
    headers,
    log: arrival.log.child({ rpc: `${method.parent.typeName}/${method.name}` }),
  };
}

const storage = new AsyncLocalStorage<CallContext>();

/** Runs `fn` with `context` as the current call context. */
export function runInCall<T>(context: CallContext, fn: () => T): T {
  return storage.run(context, fn);
}

/**
 * Runs `fn` outside any call: for work a handler starts that outlives its call (a checkout saga that goes
 * on after CreateOrder answered), whose upstream calls must not inherit the caller's deadline, token or
 * cancellation. The trace context is not touched, so the work still shows in the call's trace.
 */
export function outsideCall<T>(fn: () => T): T {
  return storage.exit(fn);
}

/** The call being served by this async flow, if any. */
export function currentCall(): CallContext | undefined {
  return storage.getStore();
}

/** Milliseconds left before the current call's deadline; Infinity outside a call or without a deadline. */
export function remainingMs(context: CallContext | undefined = currentCall()): number {
  return context === undefined ? Number.POSITIVE_INFINITY : context.deadlineMs - Date.now();
}
