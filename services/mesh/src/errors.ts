import { Code, ConnectError } from "@connectrpc/connect";
import {
  BadRequestSchema,
  PreconditionFailureSchema,
  QuotaFailureSchema,
  ResourceInfoSchema,
  RetryInfoSchema,
} from "@marquee/proto/google/rpc/error_details_pb.js";

/**
 * The one error vocabulary of Marquee handlers, after the error table of docs/architecture.md. Every helper returns a
 * ConnectError (whose `Code` numbers equal grpc-js `status`), with `google.rpc` details where the table asks
 * for them; handlers `throw` it. `grpc-status.ts` puts it on the wire.
 */

export { Code, ConnectError };

/** One bad field of a request: `field` is its path in proto names, e.g. `event.stops[2].departure_time`. */
export interface FieldViolation {
  readonly field: string;
  readonly description: string;
}

/**
 * How much of a client's input an error may carry: the status message and its details travel in HTTP/2
 * trailers over gRPC, where a few kilobytes is the norm and a megabyte resets the stream (or the whole
 * connection it shares with other callers), so no error grows with the request that caused it.
 */
export const errorLimits = {
  /** Field violations listed in a BadRequest; the rest are counted in one last violation. */
  violations: 50,
  /** Violations the status message spells out. */
  violationsInMessage: 5,
  /** Characters of a field path or a description in a violation. */
  violationCharacters: 300,
  /** Characters of all listed violations together, within what the wire guard lets through. */
  violationsCharacters: 4_000,
  /** Characters of a client-given id or name an error message quotes. */
  quotedCharacters: 100,
  /** Characters of any status message. */
  messageCharacters: 1_000,
} as const;

/**
 * Bad input in any state: INVALID_ARGUMENT with a BadRequest naming each field — as many as
 * {@link errorLimits} lets through, and how many more there were.
 */
export function badRequest(violations: readonly FieldViolation[]): ConnectError {
  const listed: FieldViolation[] = [];
  let characters = 0;
  for (const violation of violations) {
    const field = clipped(violation.field, errorLimits.violationCharacters);
    const description = clipped(violation.description, errorLimits.violationCharacters);
    characters += field.length + description.length;
    if (listed.length === errorLimits.violations || characters > errorLimits.violationsCharacters) break;
    listed.push({ field, description });
  }
  const leftOut = violations.length - listed.length;
  if (leftOut > 0) listed.push({ field: "", description: `and ${leftOut} more violations` });
  const spelled = listed.slice(0, errorLimits.violationsInMessage).map((v) => `${v.field}: ${v.description}`);
  const unspelled = violations.length - spelled.length;
  const summary = unspelled > 0 ? `${spelled.join("; ")}; and ${unspelled} more` : spelled.join("; ");
  return new ConnectError(`invalid request: ${summary}`, Code.InvalidArgument, undefined, [
    { desc: BadRequestSchema, value: { fieldViolations: listed } },
  ]);
}

/** `text`, or its first `most` characters and how many were left out. */
export function clipped(text: string, most: number = errorLimits.quotedCharacters): string {
  return text.length <= most ? text : `${text.slice(0, most)}… (${text.length - most} more characters)`;
}

/**
 * A request message whose bytes do not decode (truncated, an invalid varint or tag, invalid UTF-8):
 * INVALID_ARGUMENT, as gRPC's status codes prescribe, naming the message type and the decoder's reason.
 * The mesh server and the BFF both answer with it.
 */
export function undecodableRequest(messageType: string, reason: string): ConnectError {
  return new ConnectError(`the request is not a valid ${messageType}: ${clipped(reason)}`, Code.InvalidArgument);
}

/** Bad input in one field: `throw invalidArgument("seat_ids", "must not be empty")`. */
export function invalidArgument(field: string, description: string): ConnectError {
  return badRequest([{ field, description }]);
}

/**
 * The resource acted on does not exist, or belongs to someone else (which is said the same way, so ids
 * of others' resources cannot be probed).
 */
export function notFound(resourceType: string, id: string): ConnectError {
  const quoted = clipped(id);
  return new ConnectError(`${resourceType} ${JSON.stringify(quoted)} not found`, Code.NotFound, undefined, [
    { desc: ResourceInfoSchema, value: { resourceType, resourceName: quoted, description: "not found" } },
  ]);
}

/** A precondition that failed, e.g. `{ type: "SEAT_TAKEN", subject: "seat:A-12/leg:0", description }`. */
export interface PreconditionViolation {
  readonly type: string;
  readonly subject: string;
  readonly description: string;
}

/** The state forbids it: FAILED_PRECONDITION, with a PreconditionFailure when there is something to list. */
export function failedPrecondition(message: string, violations: readonly PreconditionViolation[] = []): ConnectError {
  const details =
    violations.length > 0
      ? [{ desc: PreconditionFailureSchema, value: { violations: violations.map((v) => ({ ...v })) } }]
      : [];
  return new ConnectError(message, Code.FailedPrecondition, undefined, details);
}

/** A quota that would be exceeded: per-user caps. `subject` names it, e.g. `user:42/event:7`. */
export interface QuotaViolation {
  readonly subject: string;
  readonly description: string;
}

/** A per-user cap exceeded: RESOURCE_EXHAUSTED with a QuotaFailure. */
export function quotaExceeded(message: string, violations: readonly QuotaViolation[]): ConnectError {
  return new ConnectError(message, Code.ResourceExhausted, undefined, [
    { desc: QuotaFailureSchema, value: { violations: violations.map((v) => ({ ...v })) } },
  ]);
}

/** Rate limited: RESOURCE_EXHAUSTED with a RetryInfo saying when to come back. */
export function rateLimited(retryAfterMs: number): ConnectError {
  const seconds = Math.floor(retryAfterMs / 1000);
  const nanos = (retryAfterMs % 1000) * 1_000_000;
  return new ConnectError("rate limited, retry later", Code.ResourceExhausted, undefined, [
    { desc: RetryInfoSchema, value: { retryDelay: { seconds: BigInt(seconds), nanos } } },
  ]);
}

/** Not signed in, or the token is not valid. */
export function unauthenticated(message = "sign-in required"): ConnectError {
  return new ConnectError(message, Code.Unauthenticated);
}

/** Signed in, but not allowed. */
export function permissionDenied(message = "not allowed"): ConnectError {
  return new ConnectError(message, Code.PermissionDenied);
}

/** Creating something that exists already. */
export function alreadyExists(message: string): ConnectError {
  return new ConnectError(message, Code.AlreadyExists);
}

/**
 * FAILED_PRECONDITION for an idempotency key the caller used for another request (not INVALID_ARGUMENT:
 * the request is valid on its own; what forbids it is what is stored under the key), with the
 * PreconditionFailure every Marquee RPC that takes a key promises: type IDEMPOTENCY_KEY_REUSED on
 * subject `idempotency_key`.
 */
export function idempotencyKeyReused(): ConnectError {
  return failedPrecondition("the idempotency key was used for a different request", [
    {
      type: "IDEMPOTENCY_KEY_REUSED",
      subject: "idempotency_key",
      description: "this key names another request of this caller; use a new key for a new request",
    },
  ]);
}
