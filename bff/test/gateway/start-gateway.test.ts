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

    it("never forwards a refused request", async () => {
      const before = fixture.counters.echo;
      await echo({ message: oversized });
      await echo("{not json");
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
