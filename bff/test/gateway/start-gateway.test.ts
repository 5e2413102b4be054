import { createClient as createConnectClient, type Transport } from "@connectrpc/connect";
import { createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { createClient } from "@marquee/mesh";
import { expect } from "chai";
import { Code, codeOf, type Fixture, MeshTestService, postJson, startFixture } from "../support/fixture.js";

describe("startGateway", () => {
  let fixture: Fixture;

  before(async () => {
    fixture = await startFixture();
  });

  after(() => fixture.close());

  const echo = (message: unknown, headers: Record<string, string> = {}) =>
    postJson(fixture.baseUrl, "marquee.meshtest.v1.MeshTestService/Echo", message, headers);

  describe("limits", () => {
    const oversized = "x".repeat(100 * 1024); // the fixture allows 64 KiB

    it("refuses an oversized Connect request with RESOURCE_EXHAUSTED and keeps serving", async () => {
      const { status, json } = await echo({ message: oversized });
      expect([413, 429]).to.include(status);
      expect(json.code).to.equal("resource_exhausted");
      expect((await echo({ message: "still here" })).json.message).to.equal("still here");
    });

    it("refuses an oversized gRPC request with RESOURCE_EXHAUSTED and keeps serving", async () => {
      const client = createClient(MeshTestService, { address: fixture.address });
      try {
        expect(await codeOf(client.echo({ message: oversized }))).to.equal(Code.ResourceExhausted);
        expect((await client.echo({ message: "still here" })).message).to.equal("still here");
      } finally {
        client.close();
      }
    });

    it("answers a malformed JSON body with INVALID_ARGUMENT and keeps serving", async () => {
      const { status, json } = await echo("{not json");
      expect(status).to.equal(400);
      expect(json.code).to.equal("invalid_argument");
      expect((await echo({ message: "still here" })).json.message).to.equal("still here");
    });

    it("serves a header block past Node's 16 KiB HTTP/1.1 default, as HTTP/2 does (issue #27)", async () => {
      const { status, json } = await echo({ message: "padded" }, { "x-padding": "p".repeat(20_000) });
      expect(status).to.equal(200);
      expect(json.message).to.equal("padded");
    });

    it("refuses a header block over 32 KiB with RESOURCE_EXHAUSTED in each protocol's form, not a bare HTTP 431", async () => {
      const headers = { "x-padding": "p".repeat(40_000) };
      const { status, json } = await echo({ message: "padded" }, headers);
      expect({ status, code: json.code }).to.deep.equal({ status: 429, code: "resource_exhausted" });
      expect(json.message).to.match(/^the request's headers are \d+ bytes, more than the 32768 served$/);
      const get = await fetch(
        `${fixture.baseUrl}/marquee.meshtest.v1.MeshTestService/Echo?connect=v1&encoding=json&message={}`,
        {
          headers,
        },
      );
      expect(get.status).to.equal(429);
      const viaConnect = (transport: Transport) =>
        createConnectClient(MeshTestService, transport).echo({}, { headers });
      const baseUrl = fixture.baseUrl;
      expect(await codeOf(viaConnect(createGrpcWebTransport({ baseUrl, httpVersion: "1.1" })))).to.equal(
        Code.ResourceExhausted,
      );
      expect(await codeOf(viaConnect(createGrpcTransport({ baseUrl })))).to.equal(Code.ResourceExhausted);
      expect((await echo({ message: "still here" })).json.message).to.equal("still here");
    });

    it("never forwards a refused request", async () => {
      const before = fixture.counters.echo;
      await echo({ message: oversized });
      await echo("{not json");
      await echo({ message: "padded" }, { "x-padding": "p".repeat(40_000) });
      expect(fixture.counters.echo).to.equal(before);
    });
  });

  describe("paths", () => {
    it("answers 404 for a path that is no RPC", async () => {
      expect((await fetch(`${fixture.baseUrl}/index.php`)).status).to.equal(404);
    });

    it("lists the services it forwards", () => {
      expect(fixture.gateway.services.map((s) => s.typeName)).to.deep.equal([MeshTestService.typeName]);
    });
  });
});
