/**
 * `npm run build:service -- <name> [out dir]`: compiles one deployable (a service of `ports.ts`, or `bff`)
 * into plain JavaScript that Node runs without tsx — what the container image runs (see the Dockerfile).
 *
 * The workspace packages export their TypeScript sources, so `tsc` output would still import `.ts` files.
 * Instead esbuild bundles each entry with the `@marquee/*` workspace code inlined and every third-party
 * package left external (the image installs them with `npm ci --omit=dev`). The output folder:
 *
 * - `server.js`, and `migrate.js` for a service with a database (the chart's migrations Job).
 * - `telemetry.js`, `@marquee/mesh/telemetry` on its own, which the image preloads (`node --import
 *   ./telemetry.js server.js`) as the launcher does: an ES module graph is loaded whole before any of it
 *   runs, so instrumentation started by the bundle's first line would miss the external `ioredis` (the
 *   trace test found no Redis span that way). The bundles import it as `./telemetry.js`, the same module,
 *   so it starts once. Its loader hook wraps only the instrumented packages: wrapping every package cost
 *   75 MiB resident.
 * - `node_modules/@marquee/proto`: the generated contract compiled file by file, not inlined, because the
 *   BFF discovers the contract's services by listing that package's `*_pb.ts` files and importing each by
 *   name (`bff/src/gateway/contract.ts`); the listed `.ts` files stay beside their JavaScript, never loaded.
 *   Every bundle imports the contract from there, so there is one copy of each descriptor per process.
 * - the asset folders the sources read beside themselves (`new URL("./lua/…", import.meta.url)`), copied
 *   next to the bundle, where `import.meta.url` now points.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { services } from "./ports.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** What can be built: every service the stack runs (the chart's too), and the BFF. */
export function deployables(): string[] {
  return [...services.map((service) => service.name), "bff"];
}

/** The folder of a deployable's package: `bff/` or `services/<name>/`. */
export function packageDirOf(name: string): string {
  return name === "bff" ? join(repoRoot, "bff") : join(repoRoot, "services", name);
}

/** What a build wrote: the folder, and the entries Node runs. */
export interface BuiltDeployable {
  readonly outDir: string;
  readonly server: string;
  /** Absent when the service has no `src/migrate.ts` (the BFF). */
  readonly migrate?: string;
}

const nodeTarget = "node24";

/** Keeps third-party packages and the contract external and inlines the workspace code. */
const externals: Plugin = {
  name: "marquee-externals",
  setup(plugin) {
    plugin.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path === "@marquee/mesh/telemetry") return { path: "./telemetry.js", external: true };
      if (args.path.startsWith("@marquee/proto/")) return { path: args.path, external: true };
      // Any other workspace package is bundled (esbuild resolves it through the workspace's symlinks).
      if (args.path.startsWith("@marquee/")) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/** Bundles `name` into `outDir` (emptied first). Throws naming the deployable when it is unknown. */
export async function buildDeployable(name: string, outDir: string): Promise<BuiltDeployable> {
  if (!deployables().includes(name)) {
    throw new Error(`no deployable named ${name}; known: ${deployables().join(", ")}`);
  }
  const sourceDir = join(packageDirOf(name), "src");
  const entries: Record<string, string> = {
    server: join(sourceDir, "server.ts"),
    telemetry: join(repoRoot, "services", "mesh", "src", "telemetry.ts"),
  };
  if (existsSync(join(sourceDir, "migrate.ts"))) entries.migrate = join(sourceDir, "migrate.ts");
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const bundled = await build({
    entryPoints: entries,
    bundle: true,
    platform: "node",
    format: "esm",
    target: nodeTarget,
    outdir: outDir,
    sourcemap: true,
    metafile: true,
    logLevel: "warning",
    plugins: [externals],
    // A bundled CommonJS dependency's `require` has no ESM equivalent; give the bundle one.
    banner: {
      js: 'import { createRequire as __marqueeRequire } from "node:module"; const require = __marqueeRequire(import.meta.url);',
    },
  });

  copyAssetFolders(Object.keys(bundled.metafile.inputs), outDir);
  await compileContract(join(outDir, "node_modules", "@marquee", "proto"));
  writeFileSync(join(outDir, "package.json"), `${JSON.stringify({ type: "module", private: true }, null, 2)}\n`);
  return {
    outDir,
    server: join(outDir, "server.js"),
    ...(entries.migrate ? { migrate: join(outDir, "migrate.js") } : {}),
  };
}

/**
 * Copies each folder a bundled source reads beside itself (`new URL("./<folder>/…", import.meta.url)`)
 * next to the bundle. Two sources with a same-named folder would overwrite each other's files: refused.
 */
function copyAssetFolders(inputs: readonly string[], outDir: string): void {
  const copiedFrom = new Map<string, string>();
  for (const input of inputs) {
    if (input.includes("node_modules") || !input.endsWith(".ts")) continue;
    const path = join(repoRoot, input);
    const source = readFileSync(path, "utf8");
    for (const match of source.matchAll(/new URL\(\s*[`"']\.\/([\w-]+)\/[^)]*import\.meta\.url\s*\)/g)) {
      const folder = match[1] as string;
      const from = join(dirname(path), folder);
      const earlier = copiedFrom.get(folder);
      if (earlier !== undefined && earlier !== from) {
        throw new Error(`asset folders ${relative(repoRoot, earlier)} and ${relative(repoRoot, from)} share one name`);
      }
      copiedFrom.set(folder, from);
      cpSync(from, join(outDir, folder), { recursive: true });
    }
  }
}

/** `proto/gen` compiled file by file into an ESM package `@marquee/proto` at `packageDir`. */
async function compileContract(packageDir: string): Promise<void> {
  const genDir = join(repoRoot, "proto", "gen");
  const sources = readdirSync(genDir, { recursive: true, encoding: "utf8" })
    .filter((path) => path.endsWith(".ts"))
    .map((path) => join(genDir, path));
  await build({
    entryPoints: sources,
    outbase: genDir,
    outdir: join(packageDir, "gen"),
    bundle: false,
    platform: "node",
    format: "esm",
    target: nodeTarget,
    logLevel: "warning",
  });
  for (const source of sources) cpSync(source, join(packageDir, "gen", relative(genDir, source)));
  const manifest = {
    name: "@marquee/proto",
    private: true,
    type: "module",
    exports: { "./*.js": "./gen/*.js" },
  };
  writeFileSync(join(packageDir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [name, outDir] = process.argv.slice(2);
  if (name === undefined) {
    process.stderr.write(`usage: npm run build:service -- <name> [out dir]; names: ${deployables().join(", ")}\n`);
    process.exit(2);
  }
  const built = await buildDeployable(name, outDir ?? join(repoRoot, "dist", "deploy", name));
  process.stdout.write(`${name}: ${relative(process.cwd(), built.outDir) || "."}\n`);
}
