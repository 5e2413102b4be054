import type { DescMethod } from "@bufbuild/protobuf";
import type { Metadata } from "@grpc/grpc-js";
import type { CallContext } from "../context.js";

/** One RPC on its way through the server pipeline to its handler. */
export interface ServerCall {
  readonly method: DescMethod;
  /** The request message; for a bidi RPC, an AsyncIterable of them. */
  readonly request: unknown;
  readonly context: CallContext;
  readonly metadata: Metadata;
}

/** The rest of the pipeline: resolves to the response, or to an AsyncIterable of responses for streams. */
export type ServerNext = (call: ServerCall) => Promise<unknown>;

/** A step of the server pipeline, wrapping the rest of it (connect-es's interceptor shape). */
export type ServerInterceptor = (next: ServerNext) => ServerNext;

/** Applies interceptors around `last`; the first element is the outermost. */
export function chain(interceptors: readonly ServerInterceptor[], last: ServerNext): ServerNext {
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
