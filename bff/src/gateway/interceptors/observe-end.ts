import type { StreamResponse, UnaryResponse } from "@connectrpc/connect";

type Response = UnaryResponse | StreamResponse;

/** Runs one pull of a stream's next message; the default runs it as is. */
export type Puller = <T>(pull: () => Promise<T>) => Promise<T>;

/**
 * Lets a server interceptor observe the end of a call: when a unary response settles, or after the last
 * message, the error, or the caller's cancel of a server stream. `onEnd` runs once, with the error if
 * any (a cancel counts as success, as in the mesh server); the error still propagates. `around` wraps
 * every pull of a stream's messages, e.g. to run it inside the call's trace context.
 */
export async function observeEnd(
  pending: Promise<Response>,
  onEnd: (error?: unknown) => void,
  around: Puller = (pull) => pull(),
): Promise<Response> {
  let response: Response;
  try {
    response = await pending;
  } catch (error) {
    onEnd(error);
    throw error;
  }
  if (!response.stream) {
    onEnd();
    return response;
  }
  return { ...response, message: observeStream(response.message, onEnd, around) };
}

function observeStream<T>(
  source: AsyncIterable<T>,
  onEnd: (error?: unknown) => void,
  around: Puller,
): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const iterator = source[Symbol.asyncIterator]();
      let hasEnded = false;
      const end = (error?: unknown) => {
        if (hasEnded) return;
        hasEnded = true;
        onEnd(error);
      };
      return {
        async next() {
          try {
            const result = await around(() => iterator.next());
            if (result.done === true) end();
            return result;
          } catch (error) {
            end(error);
            throw error;
          }
        },
        async return(value?: unknown) {
          try {
            return (await around(async () => iterator.return?.(value))) ?? { done: true, value: undefined };
          } finally {
            end();
          }
        },
      };
    },
  };
}
