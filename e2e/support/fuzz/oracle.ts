import { type Answer, codeNames } from "./answer.js";
import { leakIn } from "./leaks.js";
import type { Protocol } from "./protocols.js";
import type { TokenKind } from "./tokens.js";
import type { WireRequest } from "./wire-request.js";

/**
 * The kinds of finding, each a way the stack broke its promise that bad input gets a clear error and
 * changes nothing:
 * - `internal`: INTERNAL, UNKNOWN or DATA_LOSS — the stack did not understand its own failure;
 * - `unavailable`: UNAVAILABLE (or HTTP 503) while every process is up — one call broke another's path;
 * - `http-5xx`: any other HTTP 5xx on Connect or gRPC-Web;
 * - `no-status`: no status at all — a reset stream, a closed connection, a body with no code;
 * - `hang`: no answer within the deadline, or one ended by the BFF's own request timeout;
 * - `leak`: a stack trace or a file path in an answer;
 * - `oversized-error`: an error answer over 16 KiB;
 * - `undecodable-answer`: an OK answer whose message does not decode as the RPC's output;
 * - `process-exit`, `state-change`, `memory`, `not-ready`: found around the calls, not in one answer.
 */
export type FindingClass =
  | "internal"
  | "unavailable"
  | "http-5xx"
  | "no-status"
  | "hang"
  | "leak"
  | "oversized-error"
  | "undecodable-answer"
  | "process-exit"
  | "state-change"
  | "memory"
  | "not-ready";

/** What is needed to send the request again by hand, and what it got. */
export interface Reproducer {
  readonly protocol: Protocol;
  readonly rpc: string;
  readonly path: string;
  readonly tokenKind: TokenKind;
  /** How the request was made: its generation style and any mutation. */
  readonly input: string;
  /** Headers as sent, the bearer token replaced by its kind. */
  readonly headers: Readonly<Record<string, string>>;
  readonly bodyBase64: string;
  readonly bodyBytes: number;
  readonly seed: number;
  readonly caseIndex: number;
  readonly answer: {
    readonly outcome: string;
    readonly httpStatus: number | undefined;
    readonly message: string;
    readonly detail: string;
    readonly durationMs: number;
    readonly errorBytes: number;
  };
}

export interface Finding {
  readonly class: FindingClass;
  /** What went wrong, in a line. */
  readonly summary: string;
  readonly rpc?: string;
  readonly protocol?: Protocol;
  readonly reproducer?: Reproducer;
}

/** The largest error answer allowed: errors are clipped to 1,000 characters and details to 8 KiB. */
export const errorAnswerLimit = 16 * 1024;
/** A unary call this slow was ended by the BFF's 10 s REQUEST_TIMEOUT_MS, not by anything it was asked. */
const slowCallMs = 9_000;

/** A call as the oracle judges it. */
export interface JudgedCall {
  readonly rpc: string;
  readonly request: WireRequest;
  readonly answer: Answer;
  /** The request as text (body and header values): what an answer may echo without leaking. */
  readonly requestText: string;
}

/** The findings of one answer. */
export function judge(call: JudgedCall): Omit<Finding, "reproducer">[] {
  const { answer } = call;
  const found: Omit<Finding, "reproducer">[] = [];
  const add = (kind: FindingClass, summary: string) =>
    found.push({ class: kind, summary, rpc: call.rpc, protocol: answer.protocol });
  const code = answer.code;
  const codeName = code === undefined ? "" : (codeNames[code] ?? String(code));
  if (answer.outcome === "hang") add("hang", `no answer within ${Math.round(answer.durationMs / 1000)} s`);
  if (answer.outcome === "no-status") add("no-status", `no status: ${answer.detail || "nothing said why"}`);
  if (code === 2 || code === 13 || code === 15) add("internal", `${codeName}: ${firstLine(answer.message)}`);
  if (code === 14 || answer.httpStatus === 503) add("unavailable", `UNAVAILABLE: ${firstLine(answer.message)}`);
  if (code === 4 && answer.durationMs >= slowCallMs && !call.request.isStreaming) {
    add("hang", `DEADLINE_EXCEEDED after ${Math.round(answer.durationMs / 1000)} s, a deadline the caller never set`);
  }
  if (
    answer.protocol !== "grpc" &&
    answer.httpStatus !== undefined &&
    answer.httpStatus >= 500 &&
    answer.httpStatus !== 503 &&
    !isCodeOwnStatus(answer)
  ) {
    add("http-5xx", `HTTP ${answer.httpStatus} (${codeName || "no code"}): ${firstLine(answer.message)}`);
  }
  const leak = leakIn(`${answer.message}\n${answer.text}`, call.requestText);
  if (leak !== undefined) add("leak", `the answer shows ${JSON.stringify(leak)}`);
  if (code !== 0 && answer.errorBytes > errorAnswerLimit) {
    add("oversized-error", `an error answer of ${answer.errorBytes} bytes (${codeName})`);
  }
  return found;
}

/**
 * Connect answers UNIMPLEMENTED with HTTP 501 and DEADLINE_EXCEEDED with 504 (the protocol's own table,
 * connect-es `codeToHttpStatus`): a 5xx that is just the protocol spelling a code that is no finding is
 * judged by its code. Every other 5xx — 500 for INTERNAL, 503, a 502 or a 5xx without a code — counts.
 */
function isCodeOwnStatus(answer: Answer): boolean {
  return (answer.code === 12 && answer.httpStatus === 501) || (answer.code === 4 && answer.httpStatus === 504);
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}
