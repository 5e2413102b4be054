import type { Protocol } from "./protocols.js";

/**
 * What came back for one request, in the same terms whatever the protocol:
 * - `status`: the call ended with a gRPC status code (0 is OK);
 * - `no-status`: it ended without one — a reset stream, a closed connection, an HTTP error with no code;
 * - `hang`: nothing ended it before the client's deadline;
 * - `cut`: a server stream the client ended itself after a while, as a watcher leaves (never a finding).
 */
export interface Answer {
  readonly protocol: Protocol;
  readonly outcome: "status" | "no-status" | "hang" | "cut";
  /** The gRPC status code, 0 for OK; undefined without a status. */
  readonly code: number | undefined;
  /** The HTTP status of the response, when one arrived. */
  readonly httpStatus: number | undefined;
  readonly message: string;
  /** How the transport ended it, when that matters: "RST_STREAM 1", "socket hang up", "trailers-only". */
  readonly detail: string;
  readonly durationMs: number;
  /** Bytes of the error: its message, details and body, as the protocol carries them. */
  readonly errorBytes: number;
  /** Everything the answer said, headers and body, as text: searched for stack traces and paths. */
  readonly text: string;
  /** The response messages: binary payloads, or each JSON message's bytes. */
  readonly messages: readonly Uint8Array[];
}

/** gRPC's status codes by number, as the summary prints them. */
export const codeNames: readonly string[] = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
];

/** The name of a code, or of the outcome when there was none. */
export function outcomeName(answer: Pick<Answer, "outcome" | "code">): string {
  if (answer.outcome !== "status") return answer.outcome.toUpperCase();
  return codeNames[answer.code ?? -1] ?? `CODE_${answer.code}`;
}

/** Connect's code strings (`invalid_argument`) by gRPC code number. */
export function codeOfConnectString(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const index = codeNames.indexOf(value.toUpperCase());
  // Connect spells CANCELLED with one L.
  if (value === "canceled") return 1;
  return index > 0 ? index : undefined;
}

/** Bytes as text for searching: UTF-8 where it decodes, Latin-1 otherwise (so no byte is lost). */
export function textOf(bytes: Uint8Array, limit = 256 * 1024): string {
  const head = bytes.subarray(0, limit);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(head);
  } catch {
    return Buffer.from(head).toString("latin1");
  }
}
