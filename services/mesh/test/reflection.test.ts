import { create, createFileRegistry, fromBinary, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { type FileDescriptorProto, FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import {
  ServerReflection,
  type ServerReflectionRequest,
  ServerReflectionRequestSchema,
  type ServerReflectionResponse,
  ServerReflectionResponseSchema,
} from "@marquee/proto/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "@marquee/proto/grpc/reflection/v1alpha/reflection_pb.js";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { expect } from "chai";
import { createReflection } from "../src/reflection.js";

type Ask = MessageInitShape<typeof ServerReflectionRequestSchema>["messageRequest"];

const reflection = createReflection([CatalogService]);

function request(messageRequest: Ask): ServerReflectionRequest {
  return create(ServerReflectionRequestSchema, { host: "catalog", messageRequest });
}

function ask(messageRequest: Ask): ServerReflectionResponse {
  return reflection.respond(request(messageRequest));
}

function filesOf(response: ServerReflectionResponse): FileDescriptorProto[] {
  const answer = response.messageResponse;
  if (answer.case !== "fileDescriptorResponse") expect.fail(`expected files, got ${answer.case}`);
  return answer.value.fileDescriptorProto.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
}

function errorOf(response: ServerReflectionResponse): { errorCode: number; errorMessage: string } {
  const answer = response.messageResponse;
  if (answer.case !== "errorResponse") expect.fail(`expected an error, got ${answer.case}`);
  return answer.value;
}

function listed(response: ServerReflectionResponse): string[] {
  const answer = response.messageResponse;
  if (answer.case !== "listServicesResponse") expect.fail(`expected services, got ${answer.case}`);
  return answer.value.service.map((service) => service.name);
}

describe("createReflection", () => {
  it("lists exactly the given services", () => {
    expect(listed(ask({ case: "listServices", value: "*" }))).to.deep.equal(["marquee.catalog.v1.CatalogService"]);
  });

  it("lists the reflection services only when the caller passes them", () => {
    const withSelf = createReflection([CatalogService, ServerReflection, v1alpha.ServerReflection]);
    expect(listed(withSelf.respond(request({ case: "listServices", value: "" })))).to.deep.equal([
      "marquee.catalog.v1.CatalogService",
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection",
    ]);
  });

  it("answers a service symbol with its file first, then each transitive import once", () => {
    const names = filesOf(ask({ case: "fileContainingSymbol", value: "marquee.catalog.v1.CatalogService" })).map(
      (file) => file.name,
    );
    expect(names[0]).to.equal("marquee/catalog/v1/catalog.proto");
    expect(names).to.include.members([
      "marquee/api/v1/access.proto",
      "marquee/api/v1/money.proto",
      "marquee/api/v1/ride.proto",
      "marquee/catalog/v1/resources.proto",
      "google/protobuf/descriptor.proto",
      "google/protobuf/timestamp.proto",
      "google/protobuf/duration.proto",
      "google/protobuf/field_mask.proto",
    ]);
    expect(new Set(names).size).to.equal(names.length);
  });

  it("answers descriptors from which a client can rebuild the service, as grpcurl does", () => {
    const files = filesOf(ask({ case: "fileContainingSymbol", value: "marquee.catalog.v1.CatalogService" }));
    // A FileDescriptorSet lists imports first: the answer, sent first, moves to the end.
    const set = create(FileDescriptorSetSchema, { file: [...files.slice(1), ...files.slice(0, 1)] });
    const registry = createFileRegistry(set);
    const service = registry.getService("marquee.catalog.v1.CatalogService");
    expect(service?.methods.map((method) => method.name)).to.deep.equal(CatalogService.methods.map((m) => m.name));
    expect(registry.getExtension("marquee.api.v1.access")?.number).to.equal(50001);
  });

  it("resolves a method symbol to the file of its service", () => {
    const files = filesOf(ask({ case: "fileContainingSymbol", value: "marquee.catalog.v1.CatalogService.GetEvent" }));
    expect(files[0]?.name).to.equal("marquee/catalog/v1/catalog.proto");
  });

  it("resolves a nested message symbol to the file declaring it", () => {
    const files = filesOf(
      ask({ case: "fileContainingSymbol", value: "google.protobuf.DescriptorProto.ExtensionRange" }),
    );
    expect(files[0]?.name).to.equal("google/protobuf/descriptor.proto");
  });

  it("resolves an extension name to the file declaring it", () => {
    const files = filesOf(ask({ case: "fileContainingSymbol", value: "marquee.api.v1.access" }));
    expect(files.map((file) => file.name)).to.deep.equal([
      "marquee/api/v1/access.proto",
      "google/protobuf/descriptor.proto",
    ]);
  });

  it("answers file_by_filename for a file a given service imports", () => {
    const files = filesOf(ask({ case: "fileByFilename", value: "marquee/catalog/v1/resources.proto" }));
    expect(files[0]?.name).to.equal("marquee/catalog/v1/resources.proto");
  });

  it("answers NOT_FOUND with the symbol for an unknown symbol", () => {
    const error = errorOf(ask({ case: "fileContainingSymbol", value: "marquee.catalog.v1.NoSuchThing" }));
    expect(error.errorCode).to.equal(5);
    expect(error.errorMessage).to.contain("marquee.catalog.v1.NoSuchThing");
  });

  it("answers file_containing_extension with the file declaring the extension", () => {
    const files = filesOf(
      ask({
        case: "fileContainingExtension",
        value: { containingType: "google.protobuf.MethodOptions", extensionNumber: 50001 },
      }),
    );
    expect(files[0]?.name).to.equal("marquee/api/v1/access.proto");
  });

  it("counts marquee.api.v1.access among the extension numbers of google.protobuf.MethodOptions", () => {
    const answer = ask({ case: "allExtensionNumbersOfType", value: "google.protobuf.MethodOptions" }).messageResponse;
    if (answer.case !== "allExtensionNumbersResponse") expect.fail(`expected numbers, got ${answer.case}`);
    expect(answer.value.baseTypeName).to.equal("google.protobuf.MethodOptions");
    expect(answer.value.extensionNumber).to.include(50001);
  });

  it("answers v1alpha requests exactly as v1 ones", () => {
    const asks: Ask[] = [
      { case: "listServices", value: "" },
      { case: "fileContainingSymbol", value: "marquee.catalog.v1.CatalogService" },
      { case: "fileContainingSymbol", value: "marquee.catalog.v1.NoSuchThing" },
      { case: "allExtensionNumbersOfType", value: "google.protobuf.MethodOptions" },
    ];
    for (const messageRequest of asks) {
      const alpha = reflection.respondV1alpha(toAlpha(request(messageRequest)));
      expect(alpha.$typeName).to.equal("grpc.reflection.v1alpha.ServerReflectionResponse");
      expect(toBinary(v1alpha.ServerReflectionResponseSchema, alpha)).to.deep.equal(
        toBinary(ServerReflectionResponseSchema, ask(messageRequest)),
      );
    }
  });

  it("neither lists nor resolves a service that was not given", () => {
    expect(listed(ask({ case: "listServices", value: "" }))).not.to.include(
      "marquee.catalog.v1.CatalogInternalService",
    );
    for (const symbol of ["marquee.catalog.v1.CatalogInternalService", "marquee.catalog.v1.GetHoldPolicyRequest"]) {
      expect(errorOf(ask({ case: "fileContainingSymbol", value: symbol })).errorCode).to.equal(5);
    }
  });

  it("does not serve a file that no given service imports", () => {
    const error = errorOf(ask({ case: "fileByFilename", value: "marquee/catalog/v1/catalog_internal.proto" }));
    expect(error.errorCode).to.equal(5);
  });

  it("answers INVALID_ARGUMENT to a request that asks nothing", () => {
    expect(errorOf(ask({ case: undefined })).errorCode).to.equal(3);
  });

  it("echoes the request and its host", () => {
    const response = ask({ case: "listServices", value: "" });
    expect(response.validHost).to.equal("catalog");
    expect(response.originalRequest?.messageRequest.case).to.equal("listServices");
  });
});

function toAlpha(request: ServerReflectionRequest): v1alpha.ServerReflectionRequest {
  return fromBinary(v1alpha.ServerReflectionRequestSchema, toBinary(ServerReflectionRequestSchema, request));
}
