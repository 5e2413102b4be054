import { connect as connectHttp2 } from "node:http2";
import { Socket } from "node:net";
import { createClient } from "@marquee/mesh";
import { expect } from "chai";
import { Code, codeOf, type Fixture, MeshTestService, postJson, startFixture } from "../support/fixture.js";

describe("listen", () => {
  let fixture: Fixture;

  beforeEach(async () => {
    fixture = await startFixture();
  });

  afterEach(() => fixture.close());

  it("serves HTTP/1.1 and HTTP/2 with prior knowledge on the same port", async () => {
    expect(
      (await postJson(fixture.baseUrl, "marquee.meshtest.v1.MeshTestService/Echo", { message: "h1" })).status,
    ).to.equal(200);
    const session = connectHttp2(fixture.baseUrl);
    try {
      const stream = session.request({ ":path": "/healthz" });
      const [headers] = await Promise.all([
        new Promise<Record<string, unknown>>((resolve) => stream.once("response", resolve)),
        stream.end(),
      ]);
      expect(headers[":status"]).to.equal(200);
      stream.resume();
    } finally {
      session.close();
    }
  });

  it("serves a request whose first bytes arrive one at a time", async () => {
    const socket = new Socket();
    await new Promise<void>((resolve) => socket.connect(fixture.gateway.port, "127.0.0.1", resolve));
    const answer = new Promise<string>((resolve) => {
      let text = "";
      socket.on("data", (chunk) => {
        text += chunk.toString();
        if (text.includes("\r\n\r\n")) resolve(text);
      });
    });
    for (const byte of "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") {
      socket.write(byte);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(await answer).to.match(/^HTTP\/1\.1 200/);
    socket.destroy();
  });

  it("on shutdown drains calls in flight over HTTP/1.1 and HTTP/2, then refuses new connections", async () => {
    const grpc = createClient(MeshTestService, {
      address: fixture.address,
      retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
    });
    await grpc.echo({ message: "connect first" });
    const overHttp1 = postJson(fixture.baseUrl, "marquee.meshtest.v1.MeshTestService/Echo", {
      message: "h1",
      delayMs: 300,
    });
    const overHttp2 = grpc.echo({ message: "h2", delayMs: 300 }, { timeoutMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopping = fixture.gateway.shutdown(5000);
    expect((await overHttp1).json.message).to.equal("h1");
    expect((await overHttp2).message).to.equal("h2");
    await stopping;
    const late = createClient(MeshTestService, {
      address: fixture.address,
      retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
    });
    expect(await codeOf(late.echo({ message: "too late" }, { timeoutMs: 1000 }))).to.equal(Code.Unavailable);
    late.close();
    grpc.close();
  });

  it("ends a call that outlives the drain with UNAVAILABLE", async () => {
    const grpc = createClient(MeshTestService, {
      address: fixture.address,
      retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
    });
    const endless = codeOf(grpc.echo({ message: "endless", delayMs: 10_000 }, { timeoutMs: 20_000 }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await fixture.gateway.shutdown(200);
    expect(await endless).to.equal(Code.Unavailable);
    grpc.close();
  });
});
