import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { createClient as createConnectClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { createClient, implement } from "@marquee/mesh";
import {
  adminToken,
  customerToken,
  forgedTokens,
  organizerToken,
  serviceToken,
  startTestServer,
  type TestServer,
  testId,
  testUserIds,
  waitFor,
} from "@marquee/mesh/testing";
import { IdentityInternalService } from "@marquee/proto/marquee/identity/v1/identity_internal_pb.js";
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

describe("authenticating against identity's revoked-subjects list", () => {
  const disabled = testId("bff-disabled-user");
  /** The subjects the stand-in identity lists as revoked. */
  const revoked: string[] = [];
  let identity: TestServer;
  let fixture: Fixture;
  let connect: ReturnType<typeof createConnectClient<typeof MeshTestService>>;
  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    // A stand-in for identity's IdentityInternalService over real gRPC, with its proto's access (service
    // tokens only), so only the BFF's own poll can read it.
    identity = await startTestServer([
      implement(IdentityInternalService, {
        getRevokedSubjects: async () => ({
          subjects: revoked.map((subject) => ({ subject, expireTime: timestampFromMs(Date.now() + 60_000) })),
        }),
      }),
    ]);
    fixture = await startFixture({
      revocation: { identityAddress: identity.address, serviceToken: () => serviceToken("bff"), intervalMs: 100 },
    });
    connect = createConnectClient(
      MeshTestService,
      createConnectTransport({ baseUrl: fixture.baseUrl, httpVersion: "1.1" }),
    );
  });

  after(async () => {
    await fixture.close();
    await identity.close();
  });

  it("refuses a listed user's token within a poll, before the upstream, and takes it back once unlisted", async () => {
    const token = await customerToken(disabled);
    await connect.charge({}, bearer(token));

    revoked.push(disabled);
    await waitFor(
      "the revoked user's token refused",
      async () => (await codeOf(connect.charge({}, bearer(token)))) === Code.Unauthenticated,
      { timeoutMs: 3000, intervalMs: 10 },
    );
    const refusedAt = fixture.counters.charge;
    expect(await codeOf(connect.echo({ message: "public" }, bearer(token)))).to.equal(Code.Unauthenticated);
    expect(fixture.counters.charge, "the upstream never saw the refused calls").to.equal(refusedAt);
    expect((await connect.charge({}, bearer(await customerToken(testId("bff-other-user"))))).calls).to.be.greaterThan(
      0,
    );

    revoked.length = 0;
    await waitFor(
      "the token accepted again",
      () =>
        connect.charge({}, bearer(token)).then(
          () => true,
          () => false,
        ),
      { timeoutMs: 3000, intervalMs: 10 },
    );
  });
});
