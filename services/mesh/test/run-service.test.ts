import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { createClient } from "../src/index.js";
import { testKeys } from "../src/testing/index.js";
import { MeshTestService } from "./gen/marquee/meshtest/v1/mesh_test_pb.js";

const script = fileURLToPath(new URL("./support/echo-process.ts", import.meta.url));

async function startProcess(): Promise<{ child: ChildProcess; port: number; metricsPort: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    env: { ...process.env, AUTH_JWKS_URL: (await testKeys()).jwksPath },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = (await once(createInterface({ input: child.stdout as NodeJS.ReadableStream }), "line")) as [string];
  return { child, ...JSON.parse(line) };
}

describe("runService", function () {
  this.timeout(30_000);

  it("on SIGTERM drains the call in flight, then exits 0", async () => {
    const { child, port } = await startProcess();
    const client = createClient(MeshTestService, { address: `127.0.0.1:${port}` });
    const inFlight = client.echo({ message: "finish me", delayMs: 500 }, { timeoutMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    expect((await inFlight).message).to.equal("finish me");
    const [code] = await exited;
    expect(code).to.equal(0);
    client.close();
  });

  it("serves RPC counters on /metrics after calls", async () => {
    const { child, port, metricsPort } = await startProcess();
    const client = createClient(MeshTestService, { address: `127.0.0.1:${port}` });
    await client.echo({ message: "one" });
    await client.echo({ message: "two" });
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(text).to.match(
      /marquee_rpc_server_requests_total\{service="marquee\.meshtest\.v1\.MeshTestService",method="Echo",code="OK"\} 2/,
    );
    expect(text).to.include("marquee_rpc_server_duration_seconds_bucket");
    client.close();
    child.kill("SIGTERM");
    await once(child, "exit");
  });
});
