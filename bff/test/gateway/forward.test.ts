import { fromBinary } from "@bufbuild/protobuf";
import { type Client, createClient as createConnectClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { newEmail, register, startIdentity, type TestIdentity, viaBff } from "@marquee/identity/testing";
import { clientIpHeader, createClient, createLogger, type MeshClient, metricsRegistry } from "@marquee/mesh";
import { customerToken, serviceToken, testClient, testUserIds, waitFor } from "@marquee/mesh/testing";
import { BadRequestSchema } from "@marquee/proto/google/rpc/error_details_pb.js";
import { CatalogInternalService } from "@marquee/proto/marquee/catalog/v1/catalog_internal_pb.js";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { expect } from "chai";
import { type Gateway, type GatewayOptions, startGateway } from "../../src/gateway/index.js";
import { Code, codeOf, errorOf, type Fixture, MeshTestService, postJson, startFixture } from "../support/fixture.js";

const noRetry = { retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 } };

/** Every protocol the BFF speaks, as a client of MeshTestService. */
function clientsOf(fixture: Fixture) {
  const transport = (make: (baseUrl: string) => Transport) =>
    createConnectClient(MeshTestService, make(fixture.baseUrl));
  return {
    connectJson: transport((baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1" })),
    connectBinary: transport((baseUrl) =>
      createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true }),
    ),
    grpcWeb: transport((baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1" })),
    grpc: createClient(MeshTestService, { address: fixture.address, ...noRetry }),
    // connect-node's gRPC client sends any header Node's HTTP/2 takes; grpc-js sends printable ASCII only.
    grpcOverConnect: transport((baseUrl) => createGrpcTransport({ baseUrl })),
  };
}

describe("forward", () => {
  let fixture: Fixture;
  let clients: ReturnType<typeof clientsOf>;

  before(async () => {
    fixture = await startFixture();
    clients = clientsOf(fixture);
  });

  after(async () => {
    clients.grpc.close();
    await fixture.close();
  });

  describe("protocols", () => {
    it("forwards Connect JSON from a plain fetch to the upstream", async () => {
      const { status, json } = await postJson(fixture.baseUrl, "marquee.meshtest.v1.MeshTestService/Echo", {
        message: "from a browser",
      });
      expect(status).to.equal(200);
      expect(json.message).to.equal("from a browser");
    });

    it("forwards Connect binary", async () => {
      expect((await clients.connectBinary.echo({ message: "binary" })).message).to.equal("binary");
    });

    it("forwards gRPC-Web over HTTP/1.1", async () => {
      expect((await clients.grpcWeb.echo({ message: "grpc-web" })).message).to.equal("grpc-web");
    });

    it("forwards gRPC over cleartext HTTP/2 from a grpc-js client on the same port", async () => {
      expect((await clients.grpc.echo({ message: "grpc" })).message).to.equal("grpc");
    });
  });

  describe("identity", () => {
    it("forwards the caller's token, so the upstream sees the caller", async () => {
      const token = await customerToken();
      const response = await clients.connectJson.echo(
        { message: "me" },
        { headers: { authorization: `Bearer ${token}` } },
      );
      expect(response.subject).to.equal(testUserIds.customer);
      expect((await clients.grpc.echo({ message: "me" }, { token })).subject).to.equal(testUserIds.customer);
    });

    it("forwards an anonymous call without any token", async () => {
      expect((await clients.connectJson.echo({ message: "anyone" })).subject).to.equal("");
    });
  });

  describe("deadlines", () => {
    it("forwards the caller's gRPC deadline to the upstream", async () => {
      const { remainingMs } = await clients.grpc.echo({ message: "soon" }, { timeoutMs: 800 });
      expect(Number(remainingMs)).to.be.within(1, 800);
    });

    it("forwards the caller's Connect timeout to the upstream", async () => {
      const { remainingMs } = await clients.connectJson.echo({ message: "soon" }, { timeoutMs: 700 });
      expect(Number(remainingMs)).to.be.within(1, 700);
    });

    it("caps a call without a deadline, or with a longer one, at the configured request timeout", async () => {
      // The fixture's cap is 3000 ms, below the mesh client's own 5000 ms default.
      const { remainingMs } = await clients.connectJson.echo({ message: "whenever" });
      expect(Number(remainingMs)).to.be.within(1, 3000);
      const longer = await clients.grpc.echo({ message: "in a minute" }, { timeoutMs: 60_000 });
      expect(Number(longer.remainingMs)).to.be.within(1, 3000);
    });

    it("answers DEADLINE_EXCEEDED when the upstream outlives the caller's deadline", async () => {
      expect(await codeOf(clients.connectJson.echo({ message: "slow", delayMs: 2000 }, { timeoutMs: 200 }))).to.equal(
        Code.DeadlineExceeded,
      );
    });
  });

  describe("idempotency keys", () => {
    it("forwards the caller's idempotency-key to the upstream", async () => {
      const headers = { "idempotency-key": "order-42" };
      expect((await clients.connectBinary.echo({}, { headers })).idempotencyKey).to.equal("order-42");
      expect((await clients.grpc.echo({}, { idempotencyKey: "order-43" })).idempotencyKey).to.equal("order-43");
    });

    it("refuses a key grpc-js Metadata could not forward with INVALID_ARGUMENT naming it, not INTERNAL (issue #27)", async () => {
      const before = fixture.counters.echo;
      for (const key of ["\u00e9\u00ff", "a\tb", "k".repeat(129)]) {
        const headers = { "idempotency-key": key };
        const { status, json } = await postJson(
          fixture.baseUrl,
          "marquee.meshtest.v1.MeshTestService/Echo",
          {},
          headers,
        );
        expect({ status, code: json.code }, JSON.stringify(key)).to.deep.equal({
          status: 400,
          code: "invalid_argument",
        });
        expect(json.message).to.match(/^invalid request: idempotency-key: /);
        const grpcFailure = await errorOf(clients.grpcOverConnect.echo({}, { headers }));
        expect(grpcFailure.code, JSON.stringify(key)).to.equal(Code.InvalidArgument);
        expect(await codeOf(clients.grpcWeb.echo({}, { headers })), JSON.stringify(key)).to.equal(Code.InvalidArgument);
      }
      expect(fixture.counters.echo).to.equal(before);
    });
  });

  describe("errors", () => {
    const invalid = { name: "", count: 9 };
    const fieldsOf = (details: Uint8Array[]) =>
      details.flatMap((bytes) => fromBinary(BadRequestSchema, bytes).fieldViolations.map((v) => v.field));

    it("keeps an upstream error's code and BadRequest details in Connect JSON", async () => {
      const { status, json } = await postJson(
        fixture.baseUrl,
        "marquee.meshtest.v1.MeshTestService/Validated",
        invalid,
      );
      expect(status).to.equal(400);
      expect(json.code).to.equal("invalid_argument");
      const details = json.details as { type: string; value: string }[];
      expect(details.map((d) => d.type)).to.deep.equal(["google.rpc.BadRequest"]);
      expect(fieldsOf(details.map((d) => Buffer.from(d.value, "base64")))).to.have.members(["name", "count"]);
    });

    it("keeps an upstream error's code and BadRequest details in gRPC", async () => {
      const error = await errorOf(clients.grpc.validated(invalid));
      expect(error.code).to.equal(Code.InvalidArgument);
      const violations = error.findDetails(BadRequestSchema).flatMap((d) => d.fieldViolations.map((v) => v.field));
      expect(violations).to.have.members(["name", "count"]);
    });

    it("keeps an upstream error's code in Connect binary and gRPC-Web", async () => {
      expect(await codeOf(clients.connectBinary.echo({ failCode: Code.NotFound }))).to.equal(Code.NotFound);
      expect(await codeOf(clients.grpcWeb.echo({ failCode: Code.FailedPrecondition }))).to.equal(
        Code.FailedPrecondition,
      );
    });
  });

  describe("internal RPCs", () => {
    let internal: {
      meshConnect: Client<typeof MeshTestService>;
      catalogConnect: Client<typeof CatalogInternalService>;
      catalogGrpcWeb: Client<typeof CatalogInternalService>;
      meshGrpc: MeshClient<typeof MeshTestService>;
      catalogGrpc: MeshClient<typeof CatalogInternalService>;
    };

    before(async () => {
      // Internal callers hold service tokens; even they must find nothing at the BFF.
      internal = {
        meshConnect: clients.connectBinary,
        catalogConnect: createConnectClient(
          CatalogInternalService,
          createConnectTransport({ baseUrl: fixture.baseUrl, httpVersion: "1.1" }),
        ),
        catalogGrpcWeb: createConnectClient(
          CatalogInternalService,
          createGrpcWebTransport({ baseUrl: fixture.baseUrl, httpVersion: "1.1" }),
        ),
        meshGrpc: await testClient(MeshTestService, fixture.address, noRetry),
        catalogGrpc: await testClient(CatalogInternalService, fixture.address, noRetry),
      };
    });

    after(() => {
      internal.meshGrpc.close();
      internal.catalogGrpc.close();
    });

    it("does not route an INTERNAL RPC of a public service for Connect JSON", async () => {
      const token = await serviceToken("ordering");
      const { status } = await postJson(
        fixture.baseUrl,
        "marquee.meshtest.v1.MeshTestService/InternalOnly",
        {},
        { authorization: `Bearer ${token}` },
      );
      expect(status).to.equal(404);
    });

    it("answers UNIMPLEMENTED for an INTERNAL RPC in every other protocol", async () => {
      const headers = { authorization: `Bearer ${await serviceToken("ordering")}` };
      expect(await codeOf(internal.meshConnect.internalOnly({}, { headers }))).to.equal(Code.Unimplemented);
      expect(await codeOf(clients.grpcWeb.internalOnly({}, { headers }))).to.equal(Code.Unimplemented);
      expect(await codeOf(internal.meshGrpc.internalOnly({}))).to.equal(Code.Unimplemented);
    });

    it("does not route an internal service by any protocol, though its address is configured", async () => {
      const headers = { authorization: `Bearer ${await serviceToken("ordering")}` };
      const { status } = await postJson(
        fixture.baseUrl,
        "marquee.catalog.v1.CatalogInternalService/GetHoldPolicy",
        {},
        headers,
      );
      expect(status).to.equal(404);
      expect(await codeOf(internal.catalogConnect.getHoldPolicy({}, { headers }))).to.equal(Code.Unimplemented);
      expect(await codeOf(internal.catalogGrpcWeb.getHoldPolicy({}, { headers }))).to.equal(Code.Unimplemented);
      expect(await codeOf(internal.catalogGrpc.getHoldPolicy({}))).to.equal(Code.Unimplemented);
    });
  });

  describe("server streams", () => {
    it("passes a server stream through over Connect, gRPC-Web and gRPC", async () => {
      const numbers = async (stream: AsyncIterable<{ number: number }>) => {
        const seen: number[] = [];
        for await (const { number } of stream) seen.push(number);
        return seen;
      };
      const request = { count: 3, intervalMs: 5 };
      expect(await numbers(clients.connectJson.count(request))).to.deep.equal([1, 2, 3]);
      expect(await numbers(clients.grpcWeb.count(request))).to.deep.equal([1, 2, 3]);
      expect(await numbers(clients.grpc.count(request))).to.deep.equal([1, 2, 3]);
    });

    it("ends the upstream stream when the caller cancels", async () => {
      const endedCounts = async () => {
        const metric = (await metricsRegistry.getSingleMetric("marquee_rpc_server_requests_total")?.get())?.values;
        return (metric ?? []).filter((v) => v.labels.method === "Count").reduce((sum, v) => sum + v.value, 0);
      };
      const before = await endedCounts();
      const controller = new AbortController();
      const seen: number[] = [];
      const reading = (async () => {
        for await (const { number } of clients.connectJson.count(
          { count: 10_000, intervalMs: 20 },
          { signal: controller.signal },
        )) {
          seen.push(number);
          if (seen.length === 2) controller.abort();
        }
      })();
      expect(await codeOf(reading)).to.equal(Code.Canceled);
      // The BFF's and the upstream's observers both count the stream once it ended, long before 10,000 numbers.
      await waitFor("both ends of the stream to end", async () => (await endedCounts()) >= before + 2, {
        timeoutMs: 3000,
      });
      expect(seen).to.deep.equal([1, 2]);
    });
  });
});

describe("forward to identity: the client's address", () => {
  let identity: TestIdentity;
  let gateway: Gateway;
  let viaGateway: Client<typeof IdentityService>;

  /** A login through the BFF from the client address `ip` (behind the trusted proxy), with more headers. */
  function loginFrom(ip: string, fields: { email: string; password: string }, headers: Record<string, string> = {}) {
    return viaGateway.login(fields, { headers: { "x-forwarded-for": ip, ...headers } });
  }

  /** A BFF serving identity behind a trusted proxy, with the BFF's service token unless told otherwise. */
  function identityGateway(overrides: Partial<GatewayOptions> = {}): Promise<Gateway> {
    return startGateway({
      services: [IdentityService],
      addressOf: () => identity.service.address,
      jwksUrl: identity.jwksPath,
      revocation: { identityAddress: identity.service.address, serviceToken: () => serviceToken("bff") },
      log: createLogger("bff-test", process.env.LOG_LEVEL ?? "silent"),
      port: 0,
      host: "127.0.0.1",
      maxRequestBytes: 64 * 1024,
      requestTimeoutMs: 5000,
      // Behind a proxy, so each test picks its client address with x-forwarded-for.
      isBehindProxy: true,
      ...overrides,
    });
  }

  function identityClientOf(bff: Gateway): Client<typeof IdentityService> {
    return createConnectClient(
      IdentityService,
      createConnectTransport({ baseUrl: `http://127.0.0.1:${bff.port}`, httpVersion: "1.1" }),
    );
  }

  before(async () => {
    identity = await startIdentity({ settings: { LOGIN_FAILURES_PER_IP: "3", LOGIN_FAILURES_PER_ACCOUNT: "100" } });
    gateway = await identityGateway();
    viaGateway = identityClientOf(gateway);
  });

  after(async () => {
    await gateway?.shutdown(0);
    await identity?.close();
  });

  it("tells identity each anonymous client's address, vouched for with the BFF's token: its per-IP sign-in throttle counts clients apart", async () => {
    const ip = "203.0.113.51";
    const victim = await register(identity);
    for (let i = 0; i < 3; i++) {
      const wrong = await codeOf(loginFrom(ip, { email: newEmail(`spray${i}`), password: "Spring2026!!" }));
      expect(wrong).to.equal(Code.Unauthenticated);
    }
    expect(await codeOf(loginFrom(ip, victim))).to.equal(Code.ResourceExhausted);
    // Identity's bucket of that address is the full one, not the BFF's (which refuses nothing here).
    expect(await codeOf(identity.client.login(victim, await viaBff(ip)))).to.equal(Code.ResourceExhausted);
    expect((await loginFrom("203.0.113.52", victim)).user?.id).to.equal(victim.user.id);
    expect((await identity.client.login(victim)).user?.id, "straight to identity, without an address").to.equal(
      victim.user.id,
    );
  });

  it("passes on no client IP header a caller sent, and vouches for no signed-in caller", async () => {
    const ip = "203.0.113.61";
    for (let i = 0; i < 3; i++) await codeOf(loginFrom(ip, { email: newEmail(`spray${i}`), password: "Spring2026!!" }));
    const victim = await register(identity);
    // The caller names the full bucket's address itself: the BFF sends the one it saw instead.
    const named = await loginFrom("203.0.113.62", victim, { [clientIpHeader]: ip });
    expect(named.user?.id).to.equal(victim.user.id);
    // A signed-in caller's call goes with the caller's token, whose client address identity does not take.
    const signedIn = await loginFrom(ip, victim, { authorization: `Bearer ${victim.token}` });
    expect(signedIn.user?.id).to.equal(victim.user.id);
  });

  it("tells identity no address without a service token to vouch for it with", async () => {
    const unlimited = await identityGateway({ revocation: undefined });
    try {
      const client = identityClientOf(unlimited);
      const victim = await register(identity);
      for (let i = 0; i < 4; i++) {
        await codeOf(client.login({ email: newEmail(`spray${i}`), password: "Spring2026!!" }));
      }
      expect((await client.login(victim)).user?.id).to.equal(victim.user.id);
    } finally {
      await unlimited.shutdown(0);
    }
  });
});
