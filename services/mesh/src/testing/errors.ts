import { type Code, ConnectError } from "@connectrpc/connect";
import {
  BadRequestSchema,
  PreconditionFailureSchema,
  QuotaFailureSchema,
} from "@marquee/proto/google/rpc/error_details_pb.js";

/** The error a call (or a stream, drained) fails with; throws when it succeeds. */
export async function failureOf(call: Promise<unknown> | AsyncIterable<unknown>): Promise<ConnectError> {
  try {
    if (Symbol.asyncIterator in call) {
      for await (const _ of call) {
        // drained only to reach the error
      }
    } else {
      await call;
    }
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("expected the call to fail");
}

/** The status code a call fails with; throws when it succeeds. */
export async function codeOf(call: Promise<unknown> | AsyncIterable<unknown>): Promise<Code> {
  return (await failureOf(call)).code;
}

/** The fields a BadRequest detail names, in order. */
export function badFields(error: ConnectError): string[] {
  return error.findDetails(BadRequestSchema).flatMap((detail) => detail.fieldViolations.map((v) => v.field));
}

/** The subjects a PreconditionFailure detail lists, with their types. */
export function preconditions(error: ConnectError): { type: string; subject: string }[] {
  return error
    .findDetails(PreconditionFailureSchema)
    .flatMap((detail) => detail.violations.map(({ type, subject }) => ({ type, subject })));
}

/** The subjects a QuotaFailure detail lists. */
export function quotaSubjects(error: ConnectError): string[] {
  return error.findDetails(QuotaFailureSchema).flatMap((detail) => detail.violations.map((v) => v.subject));
}
