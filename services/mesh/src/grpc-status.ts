import { Code, ConnectError } from "@connectrpc/connect";
import { findTrailerError, setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import { Metadata, type ServiceError, type StatusObject } from "@grpc/grpc-js";
import { clipped, errorLimits } from "./errors.js";

/**
 * ConnectError ↔ the gRPC wire as grpc-js sees it, in one place: status code, message, and the
 * `grpc-status-details-bin` trailer carrying `google.rpc.Status` with its details. Connect's own gRPC codec
 * does the encoding, so services, clients and the BFF agree byte for byte.
 */

const detailsKey = "grpc-status-details-bin";

/**
 * The most a status's details may take on the wire, base64 as they travel in `grpc-status-details-bin`:
 * with the message, well under the 64 KiB header list HTTP/2 peers accept by default, where a larger
 * trailer resets the stream and can take the connection's other calls with it.
 */
const mostDetailsCharacters = 8 * 1024;

/**
 * The status a grpc-js server sends for an error; `Code` numbers equal grpc-js `status`. Whatever made
 * the error, it leaves within the wire's limits: the message clipped, the details cut from the end until
 * they fit (the errors helpers keep them small already; this is the guard for the rest).
 */
export function toGrpcStatus(error: ConnectError): Partial<StatusObject> {
  const message = clipped(error.rawMessage, errorLimits.messageCharacters);
  const metadata = new Metadata();
  for (let kept = error.details.length; kept >= 0; kept--) {
    const trimmed = new ConnectError(message, error.code);
    trimmed.details = error.details.slice(0, kept);
    const details = setTrailerStatus(new Headers(), trimmed).get(detailsKey);
    if (details === null) break;
    if (details.length <= mostDetailsCharacters) {
      metadata.set(detailsKey, Buffer.from(details, "base64"));
      break;
    }
  }
  return { code: error.code as number, details: message, metadata };
}

/**
 * grpc-js's own words for a call whose connection or stream failed after the call was sent, which it
 * reports as UNAVAILABLE, INTERNAL or UNKNOWN depending on the moment: the server may well have run it.
 */
const cutInTransit =
  /^(Connection dropped|Received RST_STREAM|Stream refused|Call ended without gRPC status|Received HTTP status code|Protocol error)/;

/** Whether a client's error says the connection failed during the call (see {@link fromGrpcError}). */
export function wasCutInTransit(error: ConnectError): boolean {
  return error.code === Code.Unavailable && cutInTransit.test(error.rawMessage);
}

/**
 * A grpc-js client error as a ConnectError, with the details the server sent. A failure of the connection
 * during the call is UNAVAILABLE whatever grpc-js called it — never INTERNAL, which would blame the server
 * for what the network did.
 */
export function fromGrpcError(error: ServiceError | Error): ConnectError {
  if (error instanceof ConnectError) return error;
  const serviceError = error as Partial<ServiceError>;
  if (typeof serviceError.code !== "number")
    return new ConnectError(error.message, Code.Unknown, undefined, undefined, error);
  if (cutInTransit.test(serviceError.details ?? "")) {
    return new ConnectError(serviceError.details ?? "", Code.Unavailable, undefined, undefined, error);
  }
  const trailer = new Headers({
    "grpc-status": String(serviceError.code),
    "grpc-message": encodeURIComponent(serviceError.details ?? ""),
  });
  const details = serviceError.metadata?.get(detailsKey)[0];
  if (details instanceof Buffer) trailer.set(detailsKey, details.toString("base64"));
  const parsed = findTrailerError(trailer);
  if (parsed === undefined) return new ConnectError(error.message, Code.Unknown, undefined, undefined, error);
  const result = new ConnectError(parsed.rawMessage, parsed.code, undefined, undefined, error);
  result.details = parsed.details;
  return result;
}
