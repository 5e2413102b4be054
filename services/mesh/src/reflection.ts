import {
  create,
  createRegistry,
  type DescExtension,
  type DescFile,
  type DescService,
  fromBinary,
  type MessageInitShape,
  toBinary,
} from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { file_google_rpc_error_details } from "@marquee/proto/google/rpc/error_details_pb.js";
import {
  type ServerReflectionRequest,
  ServerReflectionRequestSchema,
  type ServerReflectionResponse,
  ServerReflectionResponseSchema,
} from "@marquee/proto/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "@marquee/proto/grpc/reflection/v1alpha/reflection_pb.js";

/**
 * The answering half of gRPC server reflection (grpc/reflection/v1/reflection.proto), free of any
 * transport: a server adapter feeds it each request of a `ServerReflectionInfo` stream and writes back
 * the response, in order. It keeps no per-stream state, so one instance serves every stream.
 */
export interface Reflection {
  /** Answers one request of `grpc.reflection.v1.ServerReflection/ServerReflectionInfo`. */
  respond(request: ServerReflectionRequest): ServerReflectionResponse;
  /**
   * Answers one request of `grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo`, which
   * older clients still call; the answer is exactly that of `respond`.
   */
  respondV1alpha(request: v1alpha.ServerReflectionRequest): v1alpha.ServerReflectionResponse;
}

/**
 * Creates server reflection over the given services, which are the only ones it lists.
 *
 * The caller decides what is visible: a service process passes every service it serves, the BFF only
 * its public ones. The reflection service itself is listed only when passed too (`ServerReflection`
 * of v1 and v1alpha, from `@marquee/proto/grpc/reflection/...`).
 *
 * Only files reachable from the given services (their files and those files' transitive imports) are
 * served, by name, symbol or extension; anything else answers NOT_FOUND as if it did not exist. The
 * unit served is a file, so a file declaring a public and an internal service exposes both: Marquee's
 * protos keep internal services in files of their own (`*_internal.proto`) for this reason.
 *
 * File answers carry the requested file first, then each of its transitive imports once, every import
 * after the files it imports: clients such as grpcurl (jhump/protoreflect's grpcreflect) take the first
 * entry as the answer and need the others to link it; moving the first entry last gives a
 * FileDescriptorSet that `createFileRegistry` accepts. All descriptors are encoded once, here.
 */
export function createReflection(services: readonly DescService[]): Reflection {
  const files = new Map<string, DescFile>();
  const reach = (file: DescFile): void => {
    if (files.has(file.proto.name)) return;
    files.set(file.proto.name, file);
    file.dependencies.forEach(reach);
  };
  for (const service of services) reach(service.file);
  // Errors carry google.rpc details (BadRequest, PreconditionFailure…): served too, so grpcurl prints them
  // decoded rather than as raw bytes.
  reach(file_google_rpc_error_details);
  const encoded = new Map([...files].map(([name, file]) => [name, toBinary(FileDescriptorProtoSchema, file.proto)]));
  // Holds every message, enum, service and extension of the reachable files, nested ones included.
  const registry = createRegistry(...files.values());
  const extensionsByExtendee = new Map<string, DescExtension[]>();
  for (const type of registry) {
    if (type.kind !== "extension") continue;
    const known = extensionsByExtendee.get(type.extendee.typeName) ?? [];
    extensionsByExtendee.set(type.extendee.typeName, [...known, type]);
  }
  const serviceNames = services.map((service) => ({ name: service.typeName }));

  // Imports are listed after whatever they import, and then the file is moved to the front.
  const withImports = (file: DescFile): Uint8Array[] => {
    const seen = new Set<string>();
    const order: Uint8Array[] = [];
    const visit = (next: DescFile): void => {
      if (seen.has(next.proto.name)) return;
      seen.add(next.proto.name);
      next.dependencies.forEach(visit);
      order.push(encoded.get(next.proto.name) as Uint8Array);
    };
    visit(file);
    order.unshift(order.pop() as Uint8Array);
    return order;
  };

  // Methods are no registry entries: `pkg.Service.Method` resolves through its service.
  const fileOfSymbol = (symbol: string): DescFile | undefined => {
    const type = registry.get(symbol);
    if (type !== undefined) return type.file;
    const dot = symbol.lastIndexOf(".");
    const service = dot > 0 ? registry.getService(symbol.slice(0, dot)) : undefined;
    return service?.methods.some((method) => method.name === symbol.slice(dot + 1)) ? service.file : undefined;
  };

  const answer = (request: ServerReflectionRequest): ResponseInit["messageResponse"] => {
    const ask = request.messageRequest;
    switch (ask.case) {
      case "listServices":
        return { case: "listServicesResponse", value: { service: serviceNames } };
      case "fileByFilename":
        return fileAnswer(files.get(ask.value), `file ${ask.value}`);
      case "fileContainingSymbol":
        return fileAnswer(fileOfSymbol(ask.value), `symbol ${ask.value}`);
      case "fileContainingExtension": {
        const { containingType, extensionNumber } = ask.value;
        const extension = extensionsByExtendee.get(containingType)?.find((ext) => ext.number === extensionNumber);
        return fileAnswer(extension?.file, `extension ${extensionNumber} of ${containingType}`);
      }
      case "allExtensionNumbersOfType":
        if (registry.getMessage(ask.value) === undefined) return notFound(`message type ${ask.value}`);
        return {
          case: "allExtensionNumbersResponse",
          value: {
            baseTypeName: ask.value,
            extensionNumber: (extensionsByExtendee.get(ask.value) ?? []).map((ext) => ext.number),
          },
        };
      default:
        return failure(Code.InvalidArgument, "the request sets none of message_request");
    }
  };

  const fileAnswer = (file: DescFile | undefined, what: string): ResponseInit["messageResponse"] =>
    file === undefined
      ? notFound(what)
      : { case: "fileDescriptorResponse", value: { fileDescriptorProto: withImports(file) } };

  const respond = (request: ServerReflectionRequest): ServerReflectionResponse =>
    create(ServerReflectionResponseSchema, {
      validHost: request.host,
      originalRequest: request,
      messageResponse: answer(request),
    });

  return {
    respond,
    // v1alpha and v1 are the same messages under another package, field numbers included, so the wire
    // form converts one into the other.
    respondV1alpha: (request) =>
      fromBinary(
        v1alpha.ServerReflectionResponseSchema,
        toBinary(
          ServerReflectionResponseSchema,
          respond(fromBinary(ServerReflectionRequestSchema, toBinary(v1alpha.ServerReflectionRequestSchema, request))),
        ),
      ),
  };
}

type ResponseInit = MessageInitShape<typeof ServerReflectionResponseSchema>;

function notFound(what: string): ResponseInit["messageResponse"] {
  return failure(Code.NotFound, `${what} not found`);
}

function failure(code: Code, message: string): ResponseInit["messageResponse"] {
  return { case: "errorResponse", value: { errorCode: code, errorMessage: message } };
}
