import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { expect } from "chai";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

/** `npm start` without npm: the process as the launcher runs it. */
function startProcess(env: Record<string, string>): { child: ChildProcess; lines: () => Promise<string[]> } {
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
  return { child, lines: async () => output.split("\n").filter((line) => line.trim() !== "") };
}

async function waitForLine(lines: () => Promise<string[]>, match: (line: Record<string, unknown>) => boolean) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    for (const line of await lines()) {
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (match(parsed)) return parsed;
      } catch {
        // Not a JSON line (a warning from Node itself): keep looking.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no matching log line in:\n${(await lines()).join("\n")}`);
}

describe("src/main.ts", () => {
  it("logs its URL as JSON, serves /healthz and stops cleanly on SIGTERM", async () => {
    const { child, lines } = startProcess({ PORT: "0", HOST: "127.0.0.1" });
    try {
      const listening = await waitForLine(lines, (line) => String(line.msg).startsWith("listening"));
      expect(listening).to.include({ service: "payment-gateway", level: "info" });
      expect(listening.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);

      const health = await fetch(`${listening.url}/healthz`);
      expect(health.status).to.equal(200);

      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const [code] = await exited;
      expect(code).to.equal(0);
      await waitForLine(lines, (line) => line.msg === "stopped");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("reports every bad variable at once and exits 78", async () => {
    const { child, lines } = startProcess({ PORT: "0", ERROR_RATE: "2", GATEWAY_SECRET_KEY: "pk_live_x" });
    const [code] = await once(child, "exit");
    const report = await waitForLine(lines, (line) => line.msg === "invalid configuration");

    expect(code).to.equal(78);
    const problems = (report.problems as string[]).join("\n");
    expect(problems).to.include("ERROR_RATE");
    expect(problems).to.include("GATEWAY_SECRET_KEY");
    expect(problems).not.to.include("pk_live_x");
  });
});
