import { remainingMs } from "@marquee/mesh";
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  type IPolicy,
  retry,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from "cockatiel";
import { gatewayAttempts, gatewayBreakerState, gatewayDuration, gatewayRetries } from "./metrics.js";
import { PspTimeoutError, PspUnavailableError } from "./psp.js";

/** How calls to a gateway are bounded, retried and cut off. */
export interface ResilienceOptions {
  /** Adapter name, the `provider` label of the metrics. */
  readonly provider: string;
  /** One attempt's limit; the request is aborted after it. */
  readonly attemptTimeoutMs: number;
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Consecutive failed attempts that open the breaker. */
  readonly breakerFailures: number;
  /** How long it stays open before one call may try. */
  readonly breakerHalfOpenMs: number;
}

/** An attempt the gateway answered with a status worth another try (5xx, 429, 409 key in use). */
export class TransientAnswerError extends Error {
  override readonly name = "TransientAnswerError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** An attempt that never got an answer: refused, reset, unreachable. */
export class NetworkError extends Error {
  override readonly name = "NetworkError";
}

/** Worth another attempt with the same idempotency key: the gateway either did nothing or will replay. */
function isRetryable(error: unknown): boolean {
  return error instanceof TaskCancelledError || error instanceof NetworkError || error instanceof TransientAnswerError;
}

/**
 * What says the gateway is unwell, which the breaker counts. A 409 "key in use" or a 429 is a gateway at
 * work, so it is retried but not held against it.
 */
function isGatewayFailure(error: unknown): boolean {
  return (
    error instanceof TaskCancelledError ||
    error instanceof NetworkError ||
    (error instanceof TransientAnswerError && error.status >= 500)
  );
}

const stateValues: Record<CircuitState, number> = {
  [CircuitState.Closed]: 0,
  [CircuitState.HalfOpen]: 1,
  [CircuitState.Open]: 2,
  [CircuitState.Isolated]: 2,
};
const stateNames: Record<CircuitState, string> = {
  [CircuitState.Closed]: "closed",
  [CircuitState.HalfOpen]: "half-open",
  [CircuitState.Open]: "open",
  [CircuitState.Isolated]: "open",
};

/**
 * The policies around every gateway call, outermost first, as the mesh's clients have them: **retry**
 * (exponential backoff with jitter, on timeouts, 5xx, 409 and network errors; the caller passes the
 * same idempotency key to every attempt, so a retry replays instead of charging again) wraps the
 * **circuit breaker** (one per adapter: a dead gateway fails calls fast instead of making each wait out
 * its timeouts) wraps the **per-attempt timeout** (aggressive: the attempt is abandoned and its request
 * aborted). Retry outside the breaker means an open breaker ends the retries at once. The whole call is
 * also cut off when the RPC being served runs out of time: nobody would read the answer.
 */
export class GatewayPolicy {
  private readonly policy: IPolicy;
  private readonly breaker;

  constructor(private readonly options: ResilienceOptions) {
    const { provider } = options;
    this.breaker = circuitBreaker(handleWhen(isGatewayFailure), {
      halfOpenAfter: options.breakerHalfOpenMs,
      breaker: new ConsecutiveBreaker(options.breakerFailures),
    });
    gatewayBreakerState.set({ provider }, 0);
    this.breaker.onStateChange((state) => gatewayBreakerState.set({ provider }, stateValues[state]));
    const retrying = retry(handleWhen(isRetryable), {
      maxAttempts: options.maxAttempts - 1,
      backoff: new ExponentialBackoff({ initialDelay: options.initialDelayMs, maxDelay: options.maxDelayMs }),
    });
    this.policy = wrap(retrying, this.breaker, timeout(options.attemptTimeoutMs, TimeoutStrategy.Aggressive));
  }

  /** "closed", "half-open" or "open". */
  get breakerState(): string {
    return stateNames[this.breaker.state];
  }

  /**
   * Runs `attempt` under the policies; `attempt` gets a signal that aborts when its time is up. Throws
   * what the attempt threw when it is final (a refusal), else PspUnavailableError (breaker open, 5xx,
   * network) or PspTimeoutError (the last attempt, or the RPC, ran out of time).
   */
  async execute<T>(operation: string, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const { provider } = this.options;
    const left = remainingMs();
    const overall = Number.isFinite(left) ? AbortSignal.timeout(Math.max(left, 1)) : undefined;
    const stopTimer = gatewayDuration.startTimer({ provider, operation });
    let attempts = 0;
    try {
      return await this.policy.execute(async ({ signal }) => {
        if (attempts++ > 0) gatewayRetries.inc({ provider, operation });
        try {
          const result = await attempt(signal);
          gatewayAttempts.inc({ provider, operation, outcome: "ok" });
          return result;
        } catch (error) {
          gatewayAttempts.inc({ provider, operation, outcome: outcomeOf(error, signal) });
          throw error;
        }
      }, overall);
    } catch (error) {
      throw this.final(error, operation, overall);
    } finally {
      stopTimer();
    }
  }

  private final(error: unknown, operation: string, overall: AbortSignal | undefined): unknown {
    const where = `${this.options.provider} ${operation}`;
    if (error instanceof BrokenCircuitError) {
      gatewayAttempts.inc({ provider: this.options.provider, operation, outcome: "breaker_open" });
      return new PspUnavailableError(`${where}: the gateway is failing, circuit open`, { cause: error });
    }
    if (error instanceof TaskCancelledError || overall?.aborted) {
      return new PspTimeoutError(`${where}: no answer in time`, { cause: error });
    }
    if (error instanceof NetworkError || error instanceof TransientAnswerError) {
      return new PspUnavailableError(`${where}: ${error.message}`, { cause: error });
    }
    return error;
  }
}

function outcomeOf(error: unknown, signal: AbortSignal): string {
  if (error instanceof TransientAnswerError) return String(error.status);
  if (error instanceof TaskCancelledError || signal.aborted) return "timeout";
  if (error instanceof NetworkError) return "network";
  const status = (error as { status?: unknown }).status;
  return typeof status === "number" ? String(status) : "error";
}
