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

const cache = new WeakMap<DescService, ServiceDefinition>();

function methodDefinitionOf(method: DescMethod): MethodDefinition<Message, Message> {
  return {
    path: grpcPathOf(method),
    originalName: method.localName,
    requestStream: method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
    responseStream: method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
    requestSerialize: (message) => Buffer.from(toBinary(method.input, message)),
    requestDeserialize: (bytes) => fromBinary(method.input, bytes),
    responseSerialize: (message) => Buffer.from(toBinary(method.output, message)),
    responseDeserialize: (bytes) => fromBinary(method.output, bytes),
  };
}
