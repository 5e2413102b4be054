import { Code, ConnectError } from "@connectrpc/connect";
import { findTrailerError, setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import { Metadata, type ServiceError, type StatusObject } from "@grpc/grpc-js";

/**
 * ConnectError ↔ the gRPC wire as grpc-js sees it, in one place: status code, message, and the
 * `grpc-status-details-bin` trailer carrying `google.rpc.Status` with its details. Connect's own gRPC codec
 * does the encoding, so services, clients and the BFF agree byte for byte.
 */

const detailsKey = "grpc-status-details-bin";

/** The status a grpc-js server sends for an error; `Code` numbers equal grpc-js `status`. */
export function toGrpcStatus(error: ConnectError): Partial<StatusObject> {
  const trailer = setTrailerStatus(new Headers(), error);
  const metadata = new Metadata();
  const details = trailer.get(detailsKey);
  if (details !== null) metadata.set(detailsKey, Buffer.from(details, "base64"));
  return { code: error.code as number, details: error.rawMessage, metadata };
}

/** A grpc-js client error as a ConnectError, with the details the server sent. */
export function fromGrpcError(error: ServiceError | Error): ConnectError {
  if (error instanceof ConnectError) return error;
  const serviceError = error as Partial<ServiceError>;
  if (typeof serviceError.code !== "number")
    return new ConnectError(error.message, Code.Unknown, undefined, undefined, error);
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
