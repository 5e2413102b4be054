import { create, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { credentials, makeGenericClientConstructor } from "@grpc/grpc-js";
import { BadRequestSchema } from "@marquee/proto/google/rpc/error_details_pb.js";
import {
  ServerReflection,
  ServerReflectionRequestSchema,
  type ServerReflectionResponse,
} from "@marquee/proto/grpc/reflection/v1/reflection_pb.js";
import { Health, HealthCheckResponse_ServingStatus } from "@marquee/proto/health/v1/health_pb.js";
import { expect } from "chai";
import { createClient, grpcDefinitionOf, type MeshClient } from "../src/index.js";
import { codeOf } from "../src/testing/errors.js";
import {
  adminToken,
  customerToken,
  forgedTokens,
  mintTestToken,
  organizerToken,
  partnerToken,
  serviceToken,
  startTestServer,
  type TestServer,
  testId,
  testUserIds,
} from "../src/testing/index.js";
import { MeshTestService } from "./gen/marquee/meshtest/v1/mesh_test_pb.js";
import { type Counters, meshTestService } from "./support/mesh-test-service.js";

describe("startServer", () => {
  let counters: Counters;
  let server: TestServer;
  let client: MeshClient<typeof MeshTestService>;

  beforeEach(async () => {
    counters = { charge: 0, validated: 0, echo: 0 };
    server = await startTestServer([meshTestService(counters)]);
    client = createClient(MeshTestService, { address: server.address });
  });
  afterEach(async () => {
    client.close();
    await server.close();
  });

  describe("authentication", () => {
    it("serves PUBLIC RPCs to anonymous callers", async () => {
      const response = await client.echo({ message: "hi" });
      expect(response.message).to.equal("hi");
      expect(response.subject).to.equal("");
    });

    it("puts a valid token's principal in the call context", async () => {
      const response = await client.echo({ message: "hi" }, { token: await customerToken() });
      expect(response.subject).to.equal(testUserIds.customer);
    });

    it("rejects a token whose user id is not in canonical lower-case form with UNAUTHENTICATED (issue #20)", async () => {
      for (const sub of [testUserIds.customer.toUpperCase(), testUserIds.customer.replace("c", "C"), "buyer-1"]) {
        const token = await mintTestToken({ sub, roles: ["customer"] });
        expect(await codeOf(client.charge({}, { token })), sub).to.equal(Code.Unauthenticated);
        expect(await codeOf(client.echo({ message: "x" }, { token })), sub).to.equal(Code.Unauthenticated);
      }
      expect(counters.charge + counters.echo).to.equal(0);
    });

    it("rejects every forged token with UNAUTHENTICATED, even on PUBLIC RPCs", async () => {
      const forged = await forgedTokens();
      for (const [attack, token] of Object.entries(forged)) {
        expect(await codeOf(client.echo({ message: "x" }, { token })), attack).to.equal(Code.Unauthenticated);
      }
      expect(counters.echo).to.equal(0);
    });
  });

  describe("access", () => {
    it("answers UNAUTHENTICATED to anonymous callers of non-public RPCs", async () => {
      expect(await codeOf(client.charge({}))).to.equal(Code.Unauthenticated);
      expect(await codeOf(client.organizerOnly({}))).to.equal(Code.Unauthenticated);
      expect(counters.charge).to.equal(0);
    });

    it("answers PERMISSION_DENIED to a signed-in caller without the audience's role", async () => {
      const customer = await customerToken();
      expect(await codeOf(client.organizerOnly({}, { token: customer }))).to.equal(Code.PermissionDenied);
      expect(await codeOf(client.adminOnly({}, { token: await organizerToken() }))).to.equal(Code.PermissionDenied);
    });

    it("lets admins call organizer RPCs and organizers customer RPCs", async () => {
      expect((await client.organizerOnly({}, { token: await adminToken() })).subject).to.equal(testUserIds.admin);
      expect((await client.charge({}, { token: await organizerToken() })).calls).to.equal(1);
    });

    it("admits a partner token by scope, and refuses one without it", async () => {
      const reader = await partnerToken(testId("acme"), ["events.read"]);
      expect((await client.organizerOnly({}, { token: reader })).subject).to.equal(`client:${testId("acme")}`);
      const writer = await partnerToken(testId("acme"), ["orders.write"]);
      expect(await codeOf(client.organizerOnly({}, { token: writer }))).to.equal(Code.PermissionDenied);
    });

    it("serves INTERNAL RPCs to service tokens only", async () => {
      expect((await client.internalOnly({}, { token: await serviceToken("ordering") })).subject).to.equal(
        "svc:ordering",
      );
      expect(await codeOf(client.internalOnly({}, { token: await adminToken() }))).to.equal(Code.PermissionDenied);
    });
  });

  describe("validation", () => {
    it("answers INVALID_ARGUMENT with a BadRequest naming every bad field, and never runs the handler", async () => {
      let failure: ConnectError | undefined;
      try {
        await client.validated({ name: "", count: 9, tags: ["a", "b", "a"] });
      } catch (error) {
        failure = ConnectError.from(error);
      }
      expect(failure?.code).to.equal(Code.InvalidArgument);
      const [badRequest] = failure?.findDetails(BadRequestSchema) ?? [];
      expect(badRequest?.fieldViolations.map((v) => v.field)).to.deep.equal(["name", "count", "tags[2]"]);
      expect(counters.validated).to.equal(0);
    });

    it("runs the handler for a valid request", async () => {
      expect((await client.validated({ name: "ok", count: 2, tags: ["a", "b"] })).calls).to.equal(1);
    });
  });

  describe("errors", () => {
    it("keeps a handler's status code across the wire", async () => {
      expect(await codeOf(client.echo({ failCode: Code.FailedPrecondition }))).to.equal(Code.FailedPrecondition);
    });
  });

  describe("the call's signal", () => {
    it("aborts when the caller gives up, and never for a call already answered", async () => {
      counters.signals = [];
      await client.echo({ message: "answered" });
      expect(await codeOf(client.echo({ delayMs: 2000 }, { timeoutMs: 100 }))).to.equal(Code.DeadlineExceeded);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const [answered, abandoned] = counters.signals;
      expect(answered?.aborted).to.equal(false);
      expect(abandoned?.aborted).to.equal(true);
    });
  });

  describe("streaming", () => {
    it("streams every message of a server-streaming RPC in order", async () => {
      const numbers: number[] = [];
      for await (const response of client.count({ count: 5, intervalMs: 1 })) numbers.push(response.number);
      expect(numbers).to.deep.equal([1, 2, 3, 4, 5]);
    });
  });

  describe("health", () => {
    it("reports SERVING, and NOT_SERVING once shutting down", async () => {
      const health = createClient(Health, { address: server.address });
      expect((await health.check({ service: "" })).status).to.equal(HealthCheckResponse_ServingStatus.SERVING);
      expect((await health.check({ service: MeshTestService.typeName })).status).to.equal(
        HealthCheckResponse_ServingStatus.SERVING,
      );
      expect(await codeOf(health.check({ service: "nope.Service" }))).to.equal(Code.NotFound);
      server.health.markShuttingDown();
      expect((await health.check({ service: "" })).status).to.equal(HealthCheckResponse_ServingStatus.NOT_SERVING);
      health.close();
    });

    it("reports NOT_SERVING while a readiness probe fails", async () => {
      let isDatabaseUp = false;
      const probed = await startTestServer([meshTestService(counters)], {
        readiness: [
          async () => {
            if (!isDatabaseUp) throw new Error("down");
          },
        ],
      });
      const health = createClient(Health, { address: probed.address });
      expect((await health.check({ service: "" })).status).to.equal(HealthCheckResponse_ServingStatus.NOT_SERVING);
      isDatabaseUp = true;
      probed.health.markShuttingDown(); // sanity: the flag wins over probes
      expect((await health.check({ service: "" })).status).to.equal(HealthCheckResponse_ServingStatus.NOT_SERVING);
      health.close();
      await probed.close();
    });
  });

  describe("reflection", () => {
    it("lists the served services and answers a symbol with its file and imports over gRPC", async () => {
      const Constructor = makeGenericClientConstructor(grpcDefinitionOf(ServerReflection), "ServerReflection");
      const raw = new Constructor(server.address, credentials.createInsecure()) as unknown as {
        serverReflectionInfo(): NodeJS.ReadWriteStream & AsyncIterable<ServerReflectionResponse>;
        close(): void;
      };
      const stream = raw.serverReflectionInfo();
      stream.write(
        create(ServerReflectionRequestSchema, { messageRequest: { case: "listServices", value: "" } }) as never,
      );
      stream.write(
        create(ServerReflectionRequestSchema, {
          messageRequest: { case: "fileContainingSymbol", value: MeshTestService.typeName },
        }) as never,
      );
      stream.end();
      const answers: ServerReflectionResponse[] = [];
      for await (const answer of stream) answers.push(answer);
      raw.close();
      const [list, file] = answers;
      expect(list?.messageResponse.case).to.equal("listServicesResponse");
      const names =
        list?.messageResponse.case === "listServicesResponse"
          ? list.messageResponse.value.service.map((s) => s.name)
          : [];
      expect(names).to.include.members([MeshTestService.typeName, "grpc.health.v1.Health"]);
      expect(file?.messageResponse.case).to.equal("fileDescriptorResponse");
      const files =
        file?.messageResponse.case === "fileDescriptorResponse"
          ? file.messageResponse.value.fileDescriptorProto.map(
              (bytes) => fromBinary(FileDescriptorProtoSchema, bytes).name,
            )
          : [];
      expect(files[0]).to.equal("marquee/meshtest/v1/mesh_test.proto");
      expect(files).to.include("marquee/api/v1/access.proto");
    });
  });

  describe("shutdown", () => {
    it("drains an in-flight call and refuses new ones", async () => {
      const inFlight = client.echo({ message: "slow", delayMs: 300 }, { timeoutMs: 5000 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const stopping = server.shutdown(5000);
      const late = createClient(MeshTestService, {
        address: server.address,
        retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
      });
      expect(await codeOf(late.echo({ message: "late" }, { timeoutMs: 1000 }))).to.equal(Code.Unavailable);
      late.close();
      expect((await inFlight).message).to.equal("slow");
      await stopping;
    });
  });
});
