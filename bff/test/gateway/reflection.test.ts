import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { repoRoot } from "@marquee/mesh/testing";
import * as v1 from "@marquee/proto/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "@marquee/proto/grpc/reflection/v1alpha/reflection_pb.js";
import { CatalogInternalService } from "@marquee/proto/marquee/catalog/v1/catalog_internal_pb.js";
import { expect } from "chai";
import { type Fixture, MeshTestService, startFixture } from "../support/fixture.js";
import { listed, listServices, reflect, symbol } from "../support/reflection.js";

describe("serveReflection", () => {
  let fixture: Fixture;

  before(async () => {
    fixture = await startFixture();
  });

  after(() => fixture.close());

  it("lists the public services only over v1, never an internal one", async () => {
    const [list] = await reflect(fixture.address, v1.ServerReflection, v1.ServerReflectionRequestSchema, [
      listServices,
    ]);
    expect(listed(list)).to.deep.equal([MeshTestService.typeName]);
  });

  it("lists the same over v1alpha, which older clients call", async () => {
    const [list] = await reflect(fixture.address, v1alpha.ServerReflection, v1alpha.ServerReflectionRequestSchema, [
      listServices,
    ]);
    expect(listed(list)).to.deep.equal([MeshTestService.typeName]);
  });

  it("describes a public service and denies knowing an internal one", async () => {
    const [file, internal] = await reflect(fixture.address, v1.ServerReflection, v1.ServerReflectionRequestSchema, [
      symbol(MeshTestService.typeName),
      symbol(CatalogInternalService.typeName),
    ]);
    expect(file?.messageResponse.case).to.equal("fileDescriptorResponse");
    const names =
      file?.messageResponse.case === "fileDescriptorResponse"
        ? file.messageResponse.value.fileDescriptorProto.map(
            (bytes) => fromBinary(FileDescriptorProtoSchema, bytes).name,
          )
        : [];
    expect(names[0]).to.equal("marquee/meshtest/v1/mesh_test.proto");
    expect(internal?.messageResponse.case).to.equal("errorResponse");
  });

  const grpcurl = join(repoRoot(), ".tools", "bin", "grpcurl");
  (existsSync(grpcurl) ? describe : describe.skip)("with the real grpcurl", () => {
    const run = async (...args: string[]) =>
      (await promisify(execFile)(grpcurl, ["-plaintext", ...args], { timeout: 10_000 })).stdout;

    it("lists the public services only", async () => {
      expect((await run(fixture.address, "list")).trim().split("\n")).to.deep.equal([MeshTestService.typeName]);
    });

    it("calls a public RPC through reflection", async () => {
      const output = await run("-d", '{"message":"partner"}', fixture.address, `${MeshTestService.typeName}/Echo`);
      expect(JSON.parse(output).message).to.equal("partner");
    });
  });
});
