import type { Interceptor } from "@connectrpc/connect";

/**
 * How far this browser's clock is ahead of the BFF's, learnt from the `Date` header of its answers, so
 * a hold's countdown runs on the server's time even when the computer's clock is minutes off. The
 * header has whole seconds: the server's time is taken as the middle of the second it names.
 */
let offsetMs = 0;

/** A time the server sent (epoch ms) on this browser's clock. */
export function toLocalTime(serverMs: number): number {
  return serverMs + offsetMs;
}

/** Reads the `Date` header of every unary answer. */
export const readServerClock: Interceptor = (next) => async (request) => {
  const response = await next(request);
  const date = response.header.get("date");
  if (date) {
    const serverMs = Date.parse(date);
    if (!Number.isNaN(serverMs)) offsetMs = Date.now() - (serverMs + 500);
  }
  return response;
};
