import { once } from "node:events";
import { connect as connectTcp, createServer, type Server, type Socket } from "node:net";
import { Code } from "@connectrpc/connect";
import { expect } from "chai";
import { createClient } from "../src/index.js";
import { failureOf } from "../src/testing/errors.js";
import { customerToken, startTestServer, type TestServer } from "../src/testing/index.js";
import { MeshTestService } from "./gen/marquee/meshtest/v1/mesh_test_pb.js";
import { type Counters, meshTestService } from "./support/mesh-test-service.js";

/**
 * A TCP proxy to `target` that cuts each connection the moment the server's answer to a call starts to
 * come back, once `cutting` is set: the call has run on the server, and the client never hears how.
 */
async function startCuttingProxy(
  target: string,
): Promise<{ address: string; cutNext(): void; close(): Promise<void> }> {
  const [host, port] = target.split(":") as [string, string];
  let cutting = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connectTcp(Number(port), host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {});
    }
    client.pipe(upstream);
    upstream.on("data", (chunk: Buffer) => {
      // A chunk starting with a HEADERS frame (type 1, the frame header's fourth byte) after the request
      // is the answer beginning: the server has run the call.
      if (cutting && chunk[3] === 0x01) {
        cutting = false;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address() as { port: number };
  return {
    address: `127.0.0.1:${address.port}`,
    cutNext: () => {
      cutting = true;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("a mesh client whose connection fails during a call (issue #27)", () => {
  let counters: Counters;
  let server: TestServer;
  let proxy: Awaited<ReturnType<typeof startCuttingProxy>>;

  before(async () => {
    counters = { charge: 0, validated: 0, echo: 0 };
    server = await startTestServer([meshTestService(counters)]);
    proxy = await startCuttingProxy(server.address);
  });
  after(async () => {
    await proxy.close();
    await server.close();
  });

  it("reports a mutating call cut in transit as UNAVAILABLE that may have taken effect, never INTERNAL", async () => {
    const client = createClient(MeshTestService, { address: proxy.address });
    try {
      const token = await customerToken();
      await client.charge({}, { token }); // connected, settings exchanged
      const charges = counters.charge;
      proxy.cutNext();
      const failure = await failureOf(client.charge({}, { token }));
      expect(counters.charge, "the charge ran on the server").to.equal(charges + 1);
      expect(failure.code, failure.rawMessage).to.equal(Code.Unavailable);
      expect(failure.rawMessage).to.match(/may have taken effect/);
      expect((await client.charge({}, { token })).calls, "the next call reconnects").to.equal(charges + 2);
    } finally {
      client.close();
    }
  });
});
