/**
 * The four ways the BFF is called, and what each puts on the wire. Connect calls a server-streaming RPC
 * with its streaming content types (`application/connect+json`, `+proto`); the other three frame unary
 * and streaming calls alike.
 */
export const protocols = ["grpc", "grpc-web", "connect-json", "connect-proto"] as const;

export type Protocol = (typeof protocols)[number];

/** Whether the protocol carries protobuf's binary encoding (all but Connect JSON). */
export function isBinary(protocol: Protocol): boolean {
  return protocol !== "connect-json";
}

/** Whether messages travel in 5-byte envelopes: gRPC, gRPC-Web, and Connect's streaming calls. */
export function isEnveloped(protocol: Protocol, isStreaming: boolean): boolean {
  return protocol === "grpc" || protocol === "grpc-web" || isStreaming;
}

/** The request's content type. */
export function contentTypeOf(protocol: Protocol, isStreaming: boolean): string {
  switch (protocol) {
    case "grpc":
      return "application/grpc+proto";
    case "grpc-web":
      return "application/grpc-web+proto";
    case "connect-json":
      return isStreaming ? "application/connect+json" : "application/json";
    case "connect-proto":
      return isStreaming ? "application/connect+proto" : "application/proto";
  }
}

/** The header naming how the request's messages are compressed. */
export function encodingHeaderOf(protocol: Protocol, isStreaming: boolean): string {
  if (protocol === "grpc" || protocol === "grpc-web") return "grpc-encoding";
  return isStreaming ? "connect-content-encoding" : "content-encoding";
}

/** The headers every request of the protocol carries, besides its content type. */
export function protocolHeadersOf(protocol: Protocol): Record<string, string> {
  switch (protocol) {
    case "grpc":
      return { te: "trailers" };
    case "grpc-web":
      return { "x-grpc-web": "1" };
    default:
      return { "connect-protocol-version": "1" };
  }
}
