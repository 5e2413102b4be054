import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { devUsers } from "../src/users.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

/** `npm start` without npm: the process as the launcher runs it. */
function startProcess(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: packageDir,
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  return { child, output: () => output };
}

async function lineOf(output: () => string, match: (line: Record<string, unknown>) => boolean) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    for (const line of output().split("\n")) {
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (match(parsed)) return parsed;
      } catch {
        // Not a JSON line.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no matching log line in:\n${output()}`);
}

describe("dev-oidc-provider src/main.ts", () => {
  it("logs its issuer and users, serves discovery and stops cleanly on SIGTERM", async () => {
    const { child, output } = startProcess({ PORT: "0", REDIRECT_URIS: "http://localhost:9999/cb" });
    try {
      const listening = await lineOf(output, (line) => String(line.msg).startsWith("listening"));
      const issuer = listening.issuer as string;
      expect(issuer).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(listening.users).to.have.length(devUsers.length);
      expect(listening.redirect_uris).to.deep.equal(["http://localhost:9999/cb"]);
      const discovery = await fetch(`${issuer}/.well-known/openid-configuration`);
      expect(((await discovery.json()) as { issuer: string }).issuer).to.equal(issuer);
      expect((await fetch(`${issuer}/healthz`)).status).to.equal(200);
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const [code] = await exited;
      expect(code).to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("reports a bad variable and exits 78", async () => {
    const { child, output } = startProcess({ PORT: "0", REDIRECT_URIS: "ftp://nope" });
    const [code] = await once(child, "exit");
    expect(code).to.equal(78);
    const report = await lineOf(output, (line) => line.msg === "invalid configuration");
    expect((report.problems as string[]).join("\n")).to.include("REDIRECT_URIS");
  });
});
