import { readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { DescFile, DescMethod, DescService } from "@bufbuild/protobuf";

const genRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "gen");

/** Every generated file of our own contract (marquee/**), imported as @marquee/proto consumers do. */
export async function loadContract(): Promise<{ files: DescFile[] }> {
  const paths = readdirSync(join(genRoot, "marquee"), { recursive: true, encoding: "utf8" })
    .filter((p) => p.endsWith("_pb.ts"))
    .map((p) => relative(genRoot, join(genRoot, "marquee", p)).replace(/\.ts$/, ".js"));
  const files: DescFile[] = [];
  for (const path of paths) {
    const module: Record<string, unknown> = await import(`@marquee/proto/${path}`);
    for (const [name, value] of Object.entries(module)) {
      if (name.startsWith("file_")) files.push(value as DescFile);
    }
  }
  return { files };
}

/** The services of our contract, with their methods, in a stable order. */
export function servicesOf(files: DescFile[]): DescService[] {
  return files.flatMap((f) => f.services).sort((a, b) => a.typeName.localeCompare(b.typeName));
}

export function methodsOf(files: DescFile[]): DescMethod[] {
  return servicesOf(files).flatMap((s) => s.methods);
}
