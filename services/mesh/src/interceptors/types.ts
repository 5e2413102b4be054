import type { DescMethod } from "@bufbuild/protobuf";
import { context as otelContext } from "@opentelemetry/api";
import { type CallContext, runInCall } from "../context.js";

/** The request headers of a call as its transport has them: gRPC metadata, or the BFF's HTTP headers. */
export interface HeaderReader {
  /** The (first) value of a header, by lower-case name; undefined when absent or binary. */
  get(name: string): string | undefined;
  keys(): Iterable<string>;
}

/**
 * One RPC on its way through a server pipeline to its handler: in a mesh service (grpc-js) and in the
 * BFF (connect-node) alike, so both run the same interceptors.
 */
export interface ServerCall {
  readonly method: DescMethod;
  /** The request message; for a bidi RPC, an AsyncIterable of them. */
  readonly request: unknown;
  readonly context: CallContext;
  readonly header: HeaderReader;
  /** What the transport knows beyond headers, for the call's log line (the BFF's protocol and peer). */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** The rest of the pipeline: resolves to the response, or to an AsyncIterable of responses for streams. */
export type ServerNext = (call: ServerCall) => Promise<unknown>;

/**
 * A step of a server pipeline, wrapping the rest of it — connect-es's interceptor shape, and the one
 * interceptor vocabulary of every Marquee process that serves RPCs.
 */
export type Interceptor = (next: ServerNext) => ServerNext;

/** Applies interceptors around `last`; the first element is the outermost. */
export function chain(interceptors: readonly Interceptor[], last: ServerNext): ServerNext {
  return interceptors.reduceRight<ServerNext>((next, interceptor) => interceptor(next), last);
}

/** Whether a pipeline result is a stream of responses rather than one. */
export function isStream(result: unknown): result is AsyncIterable<unknown> {
  return typeof result === "object" && result !== null && Symbol.asyncIterator in result;
}

/**
 * Lets an interceptor observe the end of a call: at once for a unary result, after the last message (or
 * the error) of a stream. `onEnd` gets the error, if any; the error still propagates.
 */
export async function observeEnd(
  pending: Promise<unknown>,
  onEnd: (error: unknown) => void,
  mapError: (error: unknown) => unknown = (error) => error,
): Promise<unknown> {
  let result: unknown;
  try {
    result = await pending;
  } catch (error) {
    const mapped = mapError(error);
    onEnd(mapped);
    throw mapped;
  }
  if (!isStream(result)) {
    onEnd(undefined);
    return result;
  }
  const stream = result;
  return (async function* () {
    let failure: unknown;
    try {
      yield* stream;
    } catch (error) {
      failure = mapError(error);
      throw failure;
    } finally {
      // Also reached when the caller cancels the stream early.
      onEnd(failure);
    }
  })();
}

/**
 * The innermost step of every pipeline: runs the handler (a service's, or the BFF's forwarding) inside
 * the call context, so mesh clients it calls forward the caller's token and deadline, and pulls a stream's
 * messages inside the call's trace context too.
 */
export function invoking(handler: (request: never, context: CallContext) => unknown): ServerNext {
  return async (call) => {
    const result = runInCall(call.context, () => handler(call.request as never, call.context));
    if (!isStream(result)) return result;
    // A stream's body runs as it is pulled, later: pull it inside the call and trace contexts too.
    const traceContext = otelContext.active();
    const iterator = result[Symbol.asyncIterator]();
    return {
      [Symbol.asyncIterator]: () => ({
        next: () => otelContext.with(traceContext, () => runInCall(call.context, () => iterator.next())),
        return: (value?: unknown) => iterator.return?.(value) ?? Promise.resolve({ done: true, value }),
      }),
    } satisfies AsyncIterable<unknown>;
  };
}
