/**
 * `npm run tools [name…]`: builds the pinned Go tools into `.tools/bin` with `go install`, skipping those
 * already there. Without names it builds all of them; CI builds only what its tests use. Cold, on two
 * cores, grpcurl takes a few minutes and all of them about 25; with Go's cache warm, seconds.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Each tool: its Go package and the version we pin (`@latest` of some is years old) for `go install`, or a
 * module to build a package of inside `go mod download`'s copy, for a tool whose go.mod refuses
 * `go install` (replace directives): Jaeger v2, the local trace viewer (its Go module is still versioned
 * v1.x; v1.75.0 is Jaeger 2's release of that day).
 */
export const goTools = {
  grpcurl: "github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.4",
  ghz: "github.com/bojand/ghz/cmd/ghz@v0.121.0",
  k6: "go.k6.io/k6@v1.8.1",
  helm: "helm.sh/helm/v4/cmd/helm@v4.3.1",
  "kubectl-validate": "sigs.k8s.io/kubectl-validate@v0.0.4",
  jaeger: { module: "github.com/jaegertracing/jaeger@v1.75.0", package: "./cmd/jaeger" },
} as const;

export type GoTool = keyof typeof goTools;

/** `<repo>/.tools/bin`, where the tools are installed. */
export const toolsBin = fileURLToPath(new URL("../../.tools/bin", import.meta.url));

/** The path of a built tool, building it first when it is missing. */
export function tool(name: GoTool): string {
  const path = join(toolsBin, name);
  if (!existsSync(path)) {
    const source = goTools[name];
    const what = typeof source === "string" ? source : `${source.package} of ${source.module}`;
    process.stderr.write(`building ${name} (${what}) into .tools/bin — minutes when Go's cache is cold…\n`);
    const env = { ...process.env, GOBIN: toolsBin, CGO_ENABLED: "0" };
    if (typeof source === "string") {
      execFileSync("go", ["install", source], { stdio: ["ignore", "inherit", "inherit"], env });
    } else {
      const { Dir } = JSON.parse(
        execFileSync("go", ["mod", "download", "-json", source.module], { encoding: "utf8", env }),
      ) as { Dir: string };
      execFileSync("go", ["build", "-o", path, source.package], {
        cwd: Dir,
        stdio: ["ignore", "inherit", "inherit"],
        env,
      });
    }
  }
  return path;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(name in goTools));
  if (unknown.length > 0) {
    process.stderr.write(`unknown tools: ${unknown.join(", ")}; known: ${Object.keys(goTools).join(", ")}\n`);
    process.exit(2);
  }
  for (const name of (wanted.length > 0 ? wanted : Object.keys(goTools)) as GoTool[]) {
    process.stdout.write(`${name}: ${tool(name)}\n`);
  }
}
