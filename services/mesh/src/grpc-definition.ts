import { type DescMethod, type DescService, fromBinary, type Message, toBinary } from "@bufbuild/protobuf";
import type { MethodDefinition, ServiceDefinition } from "@grpc/grpc-js";

/**
 * The grpc-js service definition of a protobuf-es service descriptor: paths and (de)serializers derived
 * from the descriptor, never written per RPC, and cached per descriptor (protobuf-es and connect-es do the
 * same). Servers and clients both use it, so the two sides cannot disagree.
 */
export function grpcDefinitionOf(service: DescService): ServiceDefinition {
  let definition = cache.get(service);
  if (definition === undefined) {
    definition = Object.fromEntries(service.methods.map((method) => [method.localName, methodDefinitionOf(method)]));
    cache.set(service, definition);
  }
  return definition;
}

/** The gRPC path of a method, `/package.Service/Method`. */
export function grpcPathOf(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}

/**
 * A request whose bytes do not decode as its message (truncated, an invalid varint or tag, invalid UTF-8
 * in a string, too deep): grpc-js answers INTERNAL when a deserializer throws, so the server's decoder
 * returns this instead and the pipeline answers INVALID_ARGUMENT, as gRPC's status codes prescribe for a
 * message that does not parse.
 */
export class UndecodableRequest {
  constructor(
    readonly method: DescMethod,
    /** What the decoder said, for the answer. */
    readonly reason: string,
  ) {}
}

function decodeRequest(method: DescMethod, bytes: Buffer): Message | UndecodableRequest {
  try {
    return fromBinary(method.input, bytes);
  } catch (error) {
    return new UndecodableRequest(method, error instanceof Error ? error.message : String(error));
  }
}

const cache = new WeakMap<DescService, ServiceDefinition>();

function methodDefinitionOf(method: DescMethod): MethodDefinition<Message, Message> {
  return {
    path: grpcPathOf(method),
    originalName: method.localName,
    requestStream: method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
    responseStream: method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
    requestSerialize: (message) => Buffer.from(toBinary(method.input, message)),
    // A server's handlers see the marker and refuse it; the client side never deserializes requests.
    requestDeserialize: (bytes) => decodeRequest(method, bytes) as Message,
    responseSerialize: (message) => Buffer.from(toBinary(method.output, message)),
    responseDeserialize: (bytes) => fromBinary(method.output, bytes),
  };
}
