import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { promisify } from "node:util";
import { createClient, settingsOf } from "@marquee/mesh";
import { freePort, repoRoot, testDatabase, testKeys, testRedis, waitFor } from "@marquee/mesh/testing";
import { Health, HealthCheckResponse_ServingStatus } from "@marquee/proto/health/v1/health_pb.js";
import { expect } from "chai";
import { type BuiltDeployable, buildDeployable, deployables, packageDirOf } from "../src/build-service.js";
import { serviceNamed, services } from "../src/ports.js";

/**
 * The image's command for real, without Docker: a service and the BFF bundled by `build:service`, run by
 * plain Node beside only the production dependencies the image's `npm ci --omit=dev` installs for that
 * workspace (no workspace code, no dev dependency), against the test PostgreSQL and Redis.
 */

/**
 * The image's dependency stage, run here: its `npm ci --omit=dev …` line, read from the Dockerfile, in a
 * folder holding only the lock file and the workspaces' package.json files (no source), for one workspace.
 * Returns that folder; a bundle built beneath it resolves its third-party imports there and nowhere else.
 */
async function productionDependencies(root: string, workspace: string): Promise<string> {
  const dockerfile = readFileSync(join(repoRoot(), "Dockerfile"), "utf8");
  const install = dockerfile.match(/npm ci --omit=dev[^&\\\n]*/)?.[0];
  if (install === undefined) throw new Error("the Dockerfile has no `npm ci --omit=dev` line");
  const dir = join(root, workspace.replaceAll("/", "-"));
  const manifests = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*package.json"], {
    cwd: repoRoot(),
    encoding: "utf8",
  })
    .split("\n")
    .filter((path) => path !== "");
  for (const path of [...manifests, "package-lock.json"]) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    cpSync(join(repoRoot(), path), join(dir, path));
  }
  const args = install
    .trim()
    .split(/\s+/)
    .slice(1)
    .map((arg) => arg.replace(/^"\$\{workspace\}"$/, workspace));
  await promisify(execFile)("npm", args, { cwd: dir });
  // As the image does: the workspace links point at sources the image does not have.
  rmSync(join(dir, "node_modules", "@marquee"), { recursive: true, force: true });
  return dir;
}

/** The arguments `node` gets from the image's `CMD` (telemetry preloaded, then server.js). */
function imageCommand(): string[] {
  const dockerfile = readFileSync(join(repoRoot(), "Dockerfile"), "utf8");
  const cmd = dockerfile.match(/^CMD (\[.*\])$/m)?.[1];
  if (cmd === undefined) throw new Error("the Dockerfile has no CMD in exec form");
  return JSON.parse(cmd) as string[];
}

/** `node <entry>` in the bundle's folder; for server.js, exactly the image's command. */
function runBundle(built: BuiltDeployable, entry: string, env: NodeJS.ProcessEnv, output: string[]): ChildProcess {
  const args = entry === "server.js" ? imageCommand() : [entry];
  const child = spawn(process.execPath, args, {
    cwd: built.outDir,
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  return child;
}

async function exitCodeOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = await once(child, "exit");
  return code as number | null;
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  await once(child, "exit");
}

/** Resolves once `grpc.health.v1` at `address` answers SERVING; fails fast when the process died. */
async function untilServing(child: ChildProcess, address: string, output: readonly string[]): Promise<void> {
  const health = createClient(Health, {
    address,
    timeoutMs: 1000,
    retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
  });
  try {
    await waitFor(
      `${address} SERVING`,
      async () => {
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${output.join("")}`);
        const status = await health.check({ service: "" }).then(
          (response) => response.status,
          () => undefined,
        );
        return status === HealthCheckResponse_ServingStatus.SERVING ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  } finally {
    health.close();
  }
}

/** VmRSS of a process, in MiB. */
function residentMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
  if (!line) throw new Error(`no VmRSS for ${pid}`);
  return Math.round(Number(line[1]) / 1024);
}

/** What the idle process holds once it has settled (timers, the first readiness checks, a GC). */
async function idleResidentMiB(pid: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 5000));
  return residentMiB(pid);
}

/**
 * The environment a service needs beyond the test's database, bus and keys: its required settings, from
 * its manifest — upstream addresses (connected lazily, so nothing need listen there) and the mail server.
 */
function requiredSettingsOf(name: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const provided = ["DATABASE_URL", "REDIS_URL", "AUTH_JWKS_URL", "AUTH_SIGNING_KEY_FILE"];
  for (const [variable, setting] of Object.entries(settingsOf(serviceNamed(name)))) {
    if (setting.defaultValue !== undefined || provided.includes(variable)) continue;
    if (variable.endsWith("_ADDR")) env[variable] = "127.0.0.1:9";
    else if (variable === "SMTP_URL") env[variable] = "smtp://127.0.0.1:9";
    else throw new Error(`the test does not know what to give ${name}'s required ${variable}`);
  }
  return env;
}

describe("build:service: a bundle runs on plain Node", function () {
  // The before hook installs and bundles every deployable, one after the other: two to three minutes.
  this.timeout(600_000);
  const appDir = mkdtempSync(join(tmpdir(), "marquee-image-"));
  const children: ChildProcess[] = [];
  const built = new Map<string, BuiltDeployable>();
  let commonEnv: NodeJS.ProcessEnv;

  /** Starts a bundled service on free ports and resolves once it is SERVING. */
  async function serveBundled(name: string): Promise<{ process: ChildProcess; port: number }> {
    const port = await freePort();
    const output: string[] = [];
    const env = {
      ...commonEnv,
      ...requiredSettingsOf(name),
      PORT: String(port),
      METRICS_PORT: String(await freePort()),
    };
    const child = runBundle(built.get(name) as BuiltDeployable, "server.js", env, output);
    children.push(child);
    await untilServing(child, `127.0.0.1:${port}`, output);
    return { process: child, port };
  }

  before(async () => {
    // One workspace at a time: two cores, and npm's cache is shared.
    for (const name of deployables()) {
      const workspace = relative(repoRoot(), packageDirOf(name));
      built.set(name, await buildDeployable(name, join(await productionDependencies(appDir, workspace), "app")));
    }
    const [database, redisUrl, keys] = await Promise.all([testDatabase("bundle"), testRedis(), testKeys()]);
    commonEnv = {
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      AUTH_JWKS_URL: keys.jwksPath,
      AUTH_SIGNING_KEY_FILE: keys.signingKeyPath,
      LOG_LEVEL: "warn",
    };
  });

  after(async () => {
    for (const child of children) await stop(child);
    rmSync(appDir, { recursive: true, force: true });
  });

  it("inlines the workspace code: the bundles import no @marquee package but the compiled contract", () => {
    for (const [name, bundle] of built) {
      for (const file of [bundle.server, ...(bundle.migrate ? [bundle.migrate] : [])]) {
        const text = readFileSync(file, "utf8");
        const imports = [...text.matchAll(/from\s*"(@marquee\/[^"]+)"/g)].map((m) => m[1]);
        expect(
          imports.filter((path) => !path?.startsWith("@marquee/proto/")),
          `${name}: ${file}`,
        ).to.deep.equal([]);
        expect(text, file).to.not.match(/from\s*"tsx/);
      }
    }
  });

  for (const service of services) {
    it(`${service.name}: migrate.js migrates its schema, then server.js serves grpc.health.v1 SERVING`, async () => {
      const migrateOutput: string[] = [];
      const migration = runBundle(
        built.get(service.name) as BuiltDeployable,
        "migrate.js",
        { ...commonEnv, ...requiredSettingsOf(service.name) },
        migrateOutput,
      );
      expect(await exitCodeOf(migration), migrateOutput.join("")).to.equal(0);
      const { process: server } = await serveBundled(service.name);
      await stop(server);
      expect(server.exitCode, `${service.name} stops cleanly on SIGTERM`).to.equal(0);
    });
  }

  it("holds less memory idle than the same service under tsx (inventory)", async () => {
    const { process: bundled } = await serveBundled("inventory");
    const bundledMiB = await idleResidentMiB(bundled.pid as number);

    // The same service as `npm start` runs it today, for the figure beside it.
    const tsxPort = await freePort();
    const tsxOutput: string[] = [];
    const launcherArgs = ["--import", "tsx", "--import", "@marquee/mesh/telemetry"];
    const underTsx = spawn(process.execPath, [...launcherArgs, join("services", "inventory", "src", "server.ts")], {
      cwd: repoRoot(),
      env: {
        ...process.env,
        ...commonEnv,
        ...requiredSettingsOf("inventory"),
        PORT: String(tsxPort),
        METRICS_PORT: String(await freePort()),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    underTsx.stderr?.on("data", (chunk: Buffer) => tsxOutput.push(chunk.toString()));
    children.push(underTsx);
    await untilServing(underTsx, `127.0.0.1:${tsxPort}`, tsxOutput);
    const tsxMiB = await idleResidentMiB(underTsx.pid as number);
    process.stdout.write(`      idle RSS of inventory: bundle ${bundledMiB} MiB, tsx ${tsxMiB} MiB\n`);
    expect(bundledMiB).to.be.below(tsxMiB);
  });

  it("the BFF's bundle answers /healthz, and /readyz once its upstream (the bundled inventory) is SERVING", async () => {
    const { port: inventoryPort } = await serveBundled("inventory");
    const port = await freePort();
    const output: string[] = [];
    const gateway = runBundle(
      built.get("bff") as BuiltDeployable,
      "server.js",
      {
        PORT: String(port),
        METRICS_PORT: String(await freePort()),
        AUTH_JWKS_URL: commonEnv.AUTH_JWKS_URL,
        RATE_LIMITS: "off",
        INVENTORY_ADDR: `127.0.0.1:${inventoryPort}`,
        LOG_LEVEL: "warn",
      },
      output,
    );
    children.push(gateway);
    const statusOf = (path: string) =>
      fetch(`http://127.0.0.1:${port}${path}`).then(
        (response) => response.status,
        () => undefined,
      );
    await waitFor(
      "the BFF's /healthz",
      async () => {
        if (gateway.exitCode !== null) throw new Error(`the BFF exited with ${gateway.exitCode}:\n${output.join("")}`);
        return (await statusOf("/healthz")) === 200 ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    // Ready means the BFF found InventoryService in the compiled contract and its upstream answered.
    await waitFor("the BFF's /readyz", async () => ((await statusOf("/readyz")) === 200 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    const response = await fetch(`http://127.0.0.1:${port}/marquee.inventory.v1.InventoryService/GetAvailability`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({}),
    });
    // Forwarded to inventory, which validates the request: the route exists and the hop works.
    expect(response.status, await response.clone().text()).to.equal(400);
    expect(((await response.json()) as { code: string }).code).to.equal("invalid_argument");
  });
});
