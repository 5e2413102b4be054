import { expect } from "chai";
import { type Fixture, startFixture } from "../support/fixture.js";

const rpc = "marquee.meshtest.v1.MeshTestService/Echo";

function preflight(baseUrl: string, origin: string): Promise<Response> {
  return fetch(`${baseUrl}/${rpc}`, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type, authorization",
    },
  });
}

function post(baseUrl: string, origin: string): Promise<Response> {
  return fetch(`${baseUrl}/${rpc}`, {
    method: "POST",
    headers: { origin, "content-type": "application/json" },
    body: JSON.stringify({ message: "cross" }),
  });
}

describe("corsPolicy", () => {
  describe("by default", () => {
    let fixture: Fixture;

    before(async () => {
      fixture = await startFixture();
    });

    after(() => fixture.close());

    it("refuses a preflight from another origin", async () => {
      const response = await preflight(fixture.baseUrl, "https://elsewhere.example");
      expect(response.status).to.equal(403);
      expect(response.headers.get("access-control-allow-origin")).to.equal(null);
    });

    it("lets no other origin read a response", async () => {
      const response = await post(fixture.baseUrl, "https://elsewhere.example");
      expect(response.headers.get("access-control-allow-origin")).to.equal(null);
    });
  });

  describe("with allowed origins", () => {
    let fixture: Fixture;
    const allowed = "http://localhost:5173";

    before(async () => {
      fixture = await startFixture({ corsOrigins: [allowed] });
    });

    after(() => fixture.close());

    it("answers a preflight from an allowed origin with the Connect headers and authorization", async () => {
      const response = await preflight(fixture.baseUrl, allowed);
      expect(response.status).to.equal(204);
      expect(response.headers.get("access-control-allow-origin")).to.equal(allowed);
      expect(response.headers.get("access-control-allow-methods")).to.include("POST");
      const allowedHeaders = response.headers.get("access-control-allow-headers")?.toLowerCase();
      expect(allowedHeaders).to.include("connect-protocol-version");
      expect(allowedHeaders).to.include("authorization");
    });

    it("lets an allowed origin read a response and its gRPC-Web status headers", async () => {
      const response = await post(fixture.baseUrl, allowed);
      expect(response.status).to.equal(200);
      expect(response.headers.get("access-control-allow-origin")).to.equal(allowed);
      expect(response.headers.get("access-control-expose-headers")?.toLowerCase()).to.include("grpc-status");
    });

    it("still refuses a preflight from an origin not on the list", async () => {
      expect((await preflight(fixture.baseUrl, "https://elsewhere.example")).status).to.equal(403);
    });
  });
});
