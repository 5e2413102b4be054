import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import type { MeshClient } from "@marquee/mesh";
import { freePort, testClient, testKeys, testRedis, waitFor } from "@marquee/mesh/testing";
import { Health, HealthCheckResponse_ServingStatus } from "@marquee/proto/health/v1/health_pb.js";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import type { TestOrdering } from "./testing.js";

/** An ordering process over the schema of a test's ordering, with a client, that a test may kill. */
export interface OrderingChild {
  readonly process: ChildProcess;
  readonly client: MeshClient<typeof OrderingService>;
  /** SIGKILL: no drain, no shutdown hook, as a crash or an OOM kill. */
  kill(): Promise<void>;
}

/**
 * Spawns ordering as its own process, wired to the same catalog, inventory and payment as `env` and
 * over `env`'s schema, so the in-process ordering of `env` (or another child) can take over its sagas.
 */
export async function spawnOrdering(
  env: TestOrdering,
  settings: Readonly<Record<string, string>> = {},
): Promise<OrderingChild> {
  const keys = await testKeys();
  const port = await freePort();
  const entry = fileURLToPath(new URL("./ordering-process.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    env: {
      ...process.env,
      PORT: String(port),
      METRICS_PORT: String(await freePort()),
      LOG_LEVEL: process.env.LOG_LEVEL ?? "error",
      AUTH_JWKS_URL: keys.jwksPath,
      AUTH_SIGNING_KEY_FILE: keys.signingKeyPath,
      DATABASE_URL: env.service.parts.config.DATABASE_URL,
      ORDERING_SCHEMA: String(env.service.parts.orm.config.get("schema")),
      REDIS_URL: await testRedis(),
      CATALOG_ADDR: env.inventory.catalog.server.address,
      INVENTORY_ADDR: env.inventory.server.address,
      PAYMENT_ADDR: env.payment.service.address,
      SAGA_LEASE_MS: "2000",
      SAGA_RESUME_INTERVAL_MS: "100",
      ...settings,
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const address = `127.0.0.1:${port}`;
  const health = await testClient(Health, address, { timeoutMs: 1000 });
  try {
    await waitFor(
      "the ordering child to serve",
      async () => {
        if (child.exitCode !== null) throw new Error(`ordering child exited with ${child.exitCode}`);
        const status = await health.check({ service: "" }).then(
          (answer) => answer.status,
          () => undefined,
        );
        return status === HealthCheckResponse_ServingStatus.SERVING;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  } finally {
    health.close();
  }
  const client = await testClient(OrderingService, address, { timeoutMs: 20_000 });
  return {
    process: child,
    client,
    async kill() {
      client.close();
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGKILL");
      await exited;
    },
  };
}
