import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { Code, ConnectError } from "@connectrpc/connect";
import { implement, type ServiceImplementation } from "@marquee/mesh";
import { freePort, repoRoot, startTestServer, type TestServer, testKeys, testRedis } from "@marquee/mesh/testing";
import * as v1 from "@marquee/proto/grpc/reflection/v1/reflection_pb.js";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { expect } from "chai";
import { postJson } from "./support/fixture.js";
import { listed, listServices, reflect } from "./support/reflection.js";

/** A stand-in catalog: ListEvents answers an empty page, every other RPC UNIMPLEMENTED. */
function fakeCatalog(): ServiceImplementation {
  const handlers = Object.fromEntries(
    CatalogService.methods.map((method) => [
      method.localName,
      async () => {
        throw new ConnectError(`${method.name} is not faked`, Code.Unimplemented);
      },
    ]),
  );
  return implement(CatalogService, { ...handlers, listEvents: async () => ({ events: [] }) } as never);
}

interface BffProcess {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  readonly address: string;
  readonly metricsPort: number;
}

/** Starts `bff/src/server.ts` as the launcher does, and waits for its "serving" log line. */
async function startBff(env: Record<string, string>): Promise<BffProcess> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ["--import", "tsx", "bff/src/server.ts"], {
    cwd: repoRoot(),
    env: {
      ...process.env,
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      OTEL_SERVICE_NAME: "bff",
      LOG_LEVEL: "info",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
    if (JSON.parse(line).msg === "serving") break;
  }
  child.stdout?.resume();
  return { child, baseUrl: `http://127.0.0.1:${port}`, address: `127.0.0.1:${port}`, metricsPort };
}

describe("server", function () {
  this.timeout(60_000);
  let catalog: TestServer;
  let bff: BffProcess;

  before(async () => {
    catalog = await startTestServer([fakeCatalog()]);
    // Rate limits are on by default, their buckets in Redis.
    bff = await startBff({
      AUTH_JWKS_URL: (await testKeys()).jwksPath,
      CATALOG_ADDR: catalog.address,
      REDIS_URL: await testRedis(),
    });
  });

  after(async () => {
    if (bff.child.exitCode === null) bff.child.kill("SIGKILL");
    await catalog.close();
  });

  it("serves the contract's public services whose address is set, and lists only those", async () => {
    const [list] = await reflect(bff.address, v1.ServerReflection, v1.ServerReflectionRequestSchema, [listServices]);
    expect(listed(list)).to.deep.equal(["marquee.catalog.v1.CatalogService"]);
    const { status, json } = await postJson(bff.baseUrl, "marquee.catalog.v1.CatalogService/ListEvents", {});
    expect({ status, json }).to.deep.equal({ status: 200, json: {} });
  });

  it("answers its probes", async () => {
    expect((await fetch(`${bff.baseUrl}/healthz`)).status).to.equal(200);
    expect((await fetch(`${bff.baseUrl}/readyz`)).status).to.equal(200);
  });

  it("counts the calls it served on /metrics", async () => {
    await postJson(bff.baseUrl, "marquee.catalog.v1.CatalogService/ListEvents", {});
    const text = await (await fetch(`http://127.0.0.1:${bff.metricsPort}/metrics`)).text();
    expect(text).to.match(
      /marquee_rpc_server_requests_total\{service="marquee\.catalog\.v1\.CatalogService",method="ListEvents",code="OK"\} [1-9]/,
    );
    expect(text).to.match(/marquee_rpc_client_requests_total\{upstream="marquee\.catalog\.v1\.CatalogService"/);
  });

  it("exits 0 on SIGTERM", async () => {
    const exited = once(bff.child, "exit");
    bff.child.kill("SIGTERM");
    const [code] = await exited;
    expect(code).to.equal(0);
  });

  it("refuses to start without AUTH_JWKS_URL, naming it, with exit status 78", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "bff/src/server.ts"], {
      cwd: repoRoot(),
      env: { ...process.env, AUTH_JWKS_URL: "", CATALOG_ADDR: "not an address" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    const [code] = await once(child, "exit");
    expect(code).to.equal(78);
    expect(stderr).to.include("AUTH_JWKS_URL is required").and.include("CATALOG_ADDR must be host:port");
  });

  it("refuses to start with rate limits on and no REDIS_URL, saying how to turn them off", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "bff/src/server.ts"], {
      cwd: repoRoot(),
      env: { ...process.env, AUTH_JWKS_URL: (await testKeys()).jwksPath, REDIS_URL: "", RATE_LIMITS: "" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    const [code] = await once(child, "exit");
    expect(code).not.to.equal(0);
    expect(stderr).to.include("REDIS_URL is not set").and.include("RATE_LIMITS=off");
  });
});
