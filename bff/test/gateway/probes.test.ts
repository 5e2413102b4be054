import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { createProbes } from "../../src/gateway/probes.js";
import { type Fixture, startFixture } from "../support/fixture.js";

describe("createProbes", () => {
  let fixture: Fixture;

  beforeEach(async () => {
    fixture = await startFixture();
  });

  afterEach(() => fixture.close());

  const probe = async (path: string) => {
    const response = await fetch(`${fixture.baseUrl}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it("answers /healthz with 200 while the process runs", async () => {
    expect(await probe("/healthz")).to.deep.equal({ status: 200, body: { status: "alive" } });
  });

  it("answers /readyz with 200 when every upstream is SERVING", async () => {
    expect(await probe("/readyz")).to.deep.equal({ status: 200, body: { status: "ready" } });
  });

  it("answers /readyz with 503 naming the upstream that is down", async () => {
    await fixture.upstream.close();
    const { status, body } = await probe("/readyz");
    expect(status).to.equal(503);
    expect(Object.keys(body.failing as object)).to.deep.equal(["marquee.meshtest.v1.MeshTestService"]);
  });

  it("answers /readyz with 503 once shutdown has begun, and /healthz still with 200", async () => {
    // The gateway stops accepting connections when it shuts down, so the probes are served alone here.
    const probes = createProbes([]);
    const server = createServer((request, response) => probes.handle(request, response));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    try {
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).to.equal(200);
      probes.markShuttingDown();
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).to.equal(503);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).to.equal(200);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
