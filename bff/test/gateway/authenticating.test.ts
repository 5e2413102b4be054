import { createClient as createConnectClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { createClient } from "@marquee/mesh";
import { adminToken, customerToken, forgedTokens, organizerToken, testUserIds } from "@marquee/mesh/testing";
import { expect } from "chai";
import { Code, codeOf, type Fixture, MeshTestService, postJson, startFixture } from "../support/fixture.js";

describe("authenticating", () => {
  let fixture: Fixture;
  let connect: ReturnType<typeof createConnectClient<typeof MeshTestService>>;
  let grpc: ReturnType<typeof createClient<typeof MeshTestService>>;
  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    fixture = await startFixture();
    connect = createConnectClient(
      MeshTestService,
      createConnectTransport({ baseUrl: fixture.baseUrl, httpVersion: "1.1" }),
    );
    grpc = createClient(MeshTestService, {
      address: fixture.address,
      retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
    });
  });

  after(async () => {
    grpc.close();
    await fixture.close();
  });

  it("refuses an anonymous call to a CUSTOMER RPC with UNAUTHENTICATED, before the upstream", async () => {
    expect(await codeOf(connect.charge({}))).to.equal(Code.Unauthenticated);
    expect(await codeOf(grpc.charge({}))).to.equal(Code.Unauthenticated);
    expect(fixture.counters.charge).to.equal(0);
  });

  it("refuses a customer on an ORGANIZER RPC with PERMISSION_DENIED", async () => {
    const token = await customerToken();
    expect(await codeOf(connect.organizerOnly({}, bearer(token)))).to.equal(Code.PermissionDenied);
    expect(await codeOf(grpc.organizerOnly({}, { token }))).to.equal(Code.PermissionDenied);
  });

  it("lets each role reach what its audience allows", async () => {
    expect((await connect.charge({}, bearer(await customerToken()))).calls).to.be.greaterThan(0);
    expect((await connect.organizerOnly({}, bearer(await organizerToken()))).subject).to.equal(testUserIds.organizer);
    expect((await grpc.adminOnly({}, { token: await adminToken() })).subject).to.equal(testUserIds.admin);
  });

  it("refuses every forged token with UNAUTHENTICATED, even on a PUBLIC RPC", async () => {
    for (const [attack, token] of Object.entries(await forgedTokens())) {
      const { status, json } = await postJson(
        fixture.baseUrl,
        "marquee.meshtest.v1.MeshTestService/Echo",
        { message: attack },
        { authorization: `Bearer ${token}` },
      );
      expect({ attack, status, code: json.code }).to.deep.equal({ attack, status: 401, code: "unauthenticated" });
      expect(await codeOf(grpc.echo({ message: attack }, { token })), attack).to.equal(Code.Unauthenticated);
    }
  });

  it("refuses an authorization header that is not a bearer token", async () => {
    const { json } = await postJson(
      fixture.baseUrl,
      "marquee.meshtest.v1.MeshTestService/Echo",
      {},
      { authorization: "Basic dXNlcjpwYXNz" },
    );
    expect(json.code).to.equal("unauthenticated");
  });
});
