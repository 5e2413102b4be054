import { alreadyExists, Code, ConnectError, failedPrecondition, invalidArgument } from "@marquee/mesh";
import { ErrorInfoSchema } from "@marquee/proto/google/rpc/error_details_pb.js";
import { PspRefusedError, PspTimeoutError, PspUnavailableError } from "../gateway/psp.js";

/**
 * The payment service's errors beyond the mesh's helpers: the ErrorInfo the proto promises on declines,
 * failures and a second payment of an order, and the one mapping from gateway failures to statuses.
 */

/** `google.rpc.ErrorInfo.domain` of this service's reasons. */
export const errorDomain = "payment.marquee";

/** The card was declined: FAILED_PRECONDITION, ErrorInfo PAYMENT_DECLINED with payment_id and decline_code. */
export function paymentDeclined(paymentId: string, declineCode: string, message: string): ConnectError {
  return withErrorInfo(failedPrecondition(`the card was declined (${declineCode}): ${message}`), "PAYMENT_DECLINED", {
    payment_id: paymentId,
    decline_code: declineCode,
  });
}

/** The gateway refused the payment for another reason: FAILED_PRECONDITION, ErrorInfo PAYMENT_FAILED. */
export function paymentFailed(paymentId: string, message: string): ConnectError {
  return withErrorInfo(failedPrecondition(`the payment failed: ${message}`), "PAYMENT_FAILED", {
    payment_id: paymentId,
  });
}

/** The order has a payment made under another key: ALREADY_EXISTS, its id in ErrorInfo metadata. */
export function orderAlreadyPaid(orderId: string, paymentId: string): ConnectError {
  return withErrorInfo(alreadyExists(`order ${orderId} already has payment ${paymentId}`), "ORDER_HAS_PAYMENT", {
    payment_id: paymentId,
  });
}

/** The helper's error (which carries no details) with an ErrorInfo. */
function withErrorInfo(error: ConnectError, reason: string, metadata: Record<string, string>): ConnectError {
  return new ConnectError(error.rawMessage, error.code, undefined, [
    { desc: ErrorInfoSchema, value: { reason, domain: errorDomain, metadata } },
  ]);
}

/**
 * A gateway failure as the caller sees it. Unreachable, a server error or an open breaker: UNAVAILABLE;
 * no answer in time: DEADLINE_EXCEEDED. Either way the outcome is unknown (the payment may stay
 * PENDING) and the same request with the same key resumes it safely. A refusal that reaches here is a
 * disagreement between service and gateway: INTERNAL, with the cause kept for the log.
 */
export function gatewayFailure(error: unknown): ConnectError {
  if (error instanceof ConnectError) return error;
  const retry = "the outcome is not known: retry with the same idempotency key and request";
  if (error instanceof PspUnavailableError) {
    return new ConnectError(
      `payment gateway unavailable (${error.message}); ${retry}`,
      Code.Unavailable,
      undefined,
      undefined,
      error,
    );
  }
  if (error instanceof PspTimeoutError) {
    return new ConnectError(
      `payment gateway did not answer in time; ${retry}`,
      Code.DeadlineExceeded,
      undefined,
      undefined,
      error,
    );
  }
  if (error instanceof PspRefusedError && error.refusal === "invalid_amount") {
    return invalidArgument("amount", error.message);
  }
  return new ConnectError("internal error", Code.Internal, undefined, undefined, error);
}
