import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { freePort, repoRoot, scratchDir } from "../../src/testing/server-process.js";
import { waitFor } from "../../src/testing/wait-for.js";

describe("scratchDir", () => {
  const kind = `scratch-test-${randomBytes(4).toString("hex")}`;
  const root = join(repoRoot(), ".data", "test", kind);
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** The pid of a process that has already exited, standing in for a test process killed mid-run. */
  async function deadPid(): Promise<number> {
    const child = spawn("true");
    await new Promise((resolve) => child.once("exit", resolve));
    if (child.pid === undefined) throw new Error("true did not start");
    return child.pid;
  }

  it("gives this process a fresh folder under <repo>/.data/test/<kind>", async () => {
    const dir = await scratchDir(kind, "server.pid", "sleep");
    expect(dir).to.equal(join(root, String(process.pid)));
    expect(existsSync(dir)).to.equal(true);
  });

  it("kills the server a dead test process left running and removes its folder", async () => {
    const orphan = spawn("sleep", ["60"], { stdio: "ignore" });
    const orphanExited = new Promise((resolve) => orphan.once("exit", (_code, signal) => resolve(signal)));
    const leftover = join(root, String(await deadPid()));
    await mkdir(leftover, { recursive: true });
    await writeFile(join(leftover, "server.pid"), `${orphan.pid}\n`);
    await scratchDir(kind, "server.pid", "sleep");
    expect(await orphanExited).to.equal("SIGKILL");
    expect(existsSync(leftover)).to.equal(false);
  });

  it("leaves a process alone whose command is not the server's", async () => {
    const bystander = spawn("sleep", ["60"], { stdio: "ignore" });
    try {
      const leftover = join(root, String(await deadPid()));
      await mkdir(leftover, { recursive: true });
      await writeFile(join(leftover, "server.pid"), `${bystander.pid}\n`);
      await scratchDir(kind, "server.pid", "redis-server");
      expect(bystander.exitCode).to.equal(null);
      expect(bystander.signalCode).to.equal(null);
      await waitFor("the leftover folder to go", () => !existsSync(leftover));
    } finally {
      bystander.kill();
    }
  });
});

describe("freePort", () => {
  it("returns a port in the unprivileged range", async () => {
    expect(await freePort()).to.be.within(1024, 65535);
  });
});
