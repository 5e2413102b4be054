import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { createClient } from "@marquee/mesh";
import { freePort, testDatabase, testKeys, testRedis, waitFor } from "@marquee/mesh/testing";
import { Health, HealthCheckResponse_ServingStatus } from "@marquee/proto/health/v1/health_pb.js";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { expect } from "chai";
import { noInventory } from "./support/catalog.js";

const serviceDir = fileURLToPath(new URL("..", import.meta.url));

/** Runs one of the service's entry points as the launcher does, with `env` on top of this process's. */
function run(script: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", `src/${script}`], {
    cwd: serviceDir,
    env: { ...process.env, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
}

async function exitOf(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stderr };
}

describe("the catalog process", function () {
  this.timeout(60_000);

  it("migrates with migrate.ts (twice is harmless), then serves, reports SERVING, and stops on SIGTERM", async () => {
    const { url } = await testDatabase("catalog");
    const env = {
      DATABASE_URL: url,
      REDIS_URL: await testRedis(),
      AUTH_JWKS_URL: (await testKeys()).jwksPath,
      AUTH_SIGNING_KEY_FILE: (await testKeys()).signingKeyPath,
      // Serving needs no inventory: only CancelEvent calls it.
      INVENTORY_ADDR: noInventory,
      PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      OTEL_SERVICE_NAME: "catalog",
    };
    expect((await exitOf(run("migrate.ts", env))).code).to.equal(0);
    expect((await exitOf(run("migrate.ts", env))).code).to.equal(0);

    const server = run("server.ts", env);
    const exited = exitOf(server);
    const health = createClient(Health, { address: `127.0.0.1:${env.PORT}`, timeoutMs: 1000 });
    const catalog = createClient(CatalogService, { address: `127.0.0.1:${env.PORT}` });
    try {
      await waitFor(
        "SERVING",
        async () => (await health.check({})).status === HealthCheckResponse_ServingStatus.SERVING,
        { timeoutMs: 20_000, intervalMs: 100 },
      );
      const { events } = await catalog.listEvents({});
      expect(events).to.be.an("array");
      const metrics = await (await fetch(`http://127.0.0.1:${env.METRICS_PORT}/metrics`)).text();
      expect(metrics).to.include("marquee.catalog.v1.CatalogService");
    } finally {
      health.close();
      catalog.close();
      server.kill("SIGTERM");
    }
    const { code, stderr } = await exited;
    expect(code, stderr).to.equal(0);
  });

  it("refuses to start, naming every missing variable, with status 78", async () => {
    const { code, stderr } = await exitOf(run("server.ts", { DATABASE_URL: "", REDIS_URL: "", AUTH_JWKS_URL: "" }));
    expect(code).to.equal(78);
    const [line] = stderr.trim().split("\n");
    const problems = (JSON.parse(line ?? "{}") as { problems: string[] }).problems;
    expect(problems.map((problem) => problem.split(" ")[0])).to.deep.equal([
      "AUTH_JWKS_URL",
      "AUTH_SIGNING_KEY_FILE",
      "DATABASE_URL",
      "REDIS_URL",
      "INVENTORY_ADDR",
    ]);
  });
});
