import type { Interceptor } from "@connectrpc/connect";
import type { Logger, TokenVerifier } from "@marquee/mesh";
import { authenticating } from "./authenticating.js";
import { observing } from "./observing.js";
import { tracing } from "./tracing.js";

/** What the pipeline's steps need. */
export interface PipelineOptions {
  readonly log: Logger;
  readonly verifier: TokenVerifier;
}

/**
 * The BFF's server pipeline in front of every RPC it serves, outermost first (connect applies the first
 * element outermost). The order matters:
 * 1. tracing first, so every later step, its log lines and the upstream call run inside the call's span;
 * 2. observing next, so metrics and the log line count every outcome, refusals included;
 * 3. authenticating (and authorizing by the `access` option) last, so the forwarding only ever runs for
 *    a caller allowed to call the RPC, and finds the principal in the context values.
 * Later steps slot in here without touching the forwarding: per-IP rate limits between 2 and 3 (cheap,
 * before any signature is checked), per-user limits after 3 (they need the principal).
 */
export function pipeline(options: PipelineOptions): Interceptor[] {
  return [tracing(), observing(options.log), authenticating(options.verifier)];
}
