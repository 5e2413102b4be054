import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The bench workspace's folder. */
export const benchRoot = fileURLToPath(new URL("../..", import.meta.url));

/** What a result file says about where it was measured. */
export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly node: string;
  readonly platform: string;
  /** 1, 5 and 15 minute load averages when the run started. */
  readonly loadAverage: readonly number[];
  readonly date: string;
}

export function machineInfo(): MachineInfo {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverage: loadavg().map((load) => Math.round(load * 100) / 100),
    date: new Date().toISOString(),
  };
}

/** Writes `bench/results/<name>.json`; returns its path. */
export function writeResults(name: string, results: unknown): string {
  const path = join(benchRoot, "results", `${name}.json`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  return path;
}

/**
 * Replaces what lies between `<!-- <marker>:begin -->` and `<!-- <marker>:end -->` in `bench/README.md`, so a
 * re-run rewrites its own section and leaves the hand-written text around it alone.
 */
export function replaceReadmeSection(marker: string, content: string, path = join(benchRoot, "README.md")): void {
  writeFileSync(path, withSection(readFileSync(path, "utf8"), marker, content));
}

/** `text` with the section `marker` holding `content`; throws when the markers are missing or out of order. */
export function withSection(text: string, marker: string, content: string): string {
  const begin = `<!-- ${marker}:begin -->`;
  const end = `<!-- ${marker}:end -->`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`the README has no "${begin}" … "${end}" section`);
  return `${text.slice(0, from + begin.length)}\n${content.trim()}\n${text.slice(to)}`;
}

/** A Markdown table; columns whose alignment is "right" are right-aligned. */
export function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly ("left" | "right")[] = [],
): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? "").length), 3));
  const cell = (text: string, i: number) =>
    align[i] === "right" ? text.padStart(widths[i] as number) : text.padEnd(widths[i] as number);
  const line = (cells: readonly string[]) => `| ${cells.map((text, i) => cell(text, i)).join(" | ")} |`;
  const rule = `| ${widths.map((width, i) => (align[i] === "right" ? `${"-".repeat(width - 1)}:` : "-".repeat(width))).join(" | ")} |`;
  return [line(headers), rule, ...rows.map(line)].join("\n");
}

/** A number with thousands separators and `digits` decimals. */
export function formatNumber(value: number, digits = 0): string {
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/**
 * Formats written files with the repository's biome, so generated tables and JSON pass `biome ci` as
 * they are; false when biome is not installed (the files are then left as written).
 */
export function formatWithBiome(paths: readonly string[]): boolean {
  const biome = join(benchRoot, "..", "node_modules", ".bin", "biome");
  if (!existsSync(biome)) return false;
  execFileSync(biome, ["format", "--write", ...paths], { cwd: join(benchRoot, ".."), stdio: "ignore" });
  return true;
}
