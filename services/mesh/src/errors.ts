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

/** Bad input in any state: INVALID_ARGUMENT with a BadRequest naming each field. */
export function badRequest(violations: readonly FieldViolation[]): ConnectError {
  const summary = violations.map((v) => `${v.field}: ${v.description}`).join("; ");
  return new ConnectError(`invalid request: ${summary}`, Code.InvalidArgument, undefined, [
    { desc: BadRequestSchema, value: { fieldViolations: violations.map((v) => ({ ...v })) } },
  ]);
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
  return new ConnectError(`${resourceType} ${JSON.stringify(id)} not found`, Code.NotFound, undefined, [
    { desc: ResourceInfoSchema, value: { resourceType, resourceName: id, description: "not found" } },
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
