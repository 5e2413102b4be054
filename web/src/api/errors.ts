import { Code, ConnectError } from "@connectrpc/connect";
import {
  BadRequestSchema,
  PreconditionFailureSchema,
  QuotaFailureSchema,
  RetryInfoSchema,
} from "@marquee/proto/google/rpc/error_details_pb.js";
import type { MessageKey } from "../i18n/index.js";

/** An error as the app tells the user: a message key, its parameters, and what it concerns. */
export interface Problem {
  readonly key: MessageKey;
  readonly params?: Record<string, string | number>;
  /** The seats a taken-seats error names (PreconditionFailure subjects `seat:<id>` or `seat:<id>/leg:…`). */
  readonly takenSeatIds?: readonly string[];
  /** For a form: the field each message is about (BadRequest field violations). */
  readonly fields?: Readonly<Record<string, string>>;
}

/**
 * What to tell the user about a failed call, read from the status and its `google.rpc` details as
 * DESIGN.md's error table defines them: seats taken, a per-buyer cap, rate limited (with the retry
 * delay), a field at fault, signed out, or the service not answering. The server's own message is kept
 * for fields only, since it is English and written for developers.
 */
export function problemOf(error: unknown): Problem {
  const connectError = ConnectError.from(error);
  switch (connectError.code) {
    case Code.FailedPrecondition: {
      const violations = connectError.findDetails(PreconditionFailureSchema).flatMap((detail) => detail.violations);
      const taken = violations.filter((v) => v.type === "SEAT_HELD" || v.type === "SEAT_SOLD");
      if (taken.length > 0) {
        const takenSeatIds = [...new Set(taken.map((v) => v.subject.replace(/^seat:/, "").split("/")[0] ?? ""))];
        return { key: "error.seatsTaken", takenSeatIds };
      }
      if (/expired|released|not live/i.test(connectError.rawMessage)) return { key: "error.holdExpired" };
      return { key: "error.notPossible" };
    }
    case Code.ResourceExhausted: {
      const retry = connectError.findDetails(RetryInfoSchema)[0];
      if (retry) {
        const seconds = Math.max(1, Math.ceil(Number(retry.retryDelay?.seconds ?? 1n)));
        return { key: "error.rateLimited", params: { seconds } };
      }
      if (connectError.findDetails(QuotaFailureSchema).length > 0) return { key: "error.seatCap" };
      return { key: "error.busy" };
    }
    case Code.InvalidArgument: {
      const fields: Record<string, string> = {};
      for (const detail of connectError.findDetails(BadRequestSchema)) {
        for (const violation of detail.fieldViolations) fields[violation.field] = violation.description;
      }
      return { key: "error.invalid", fields };
    }
    case Code.NotFound:
      return { key: "error.notFound" };
    case Code.Unauthenticated:
      return { key: "error.signedOut" };
    case Code.PermissionDenied:
      return { key: "error.forbidden" };
    case Code.AlreadyExists:
      return { key: "error.alreadyExists" };
    case Code.Unavailable:
    case Code.DeadlineExceeded:
      return { key: "error.unavailable" };
    default:
      return { key: "error.unexpected" };
  }
}
