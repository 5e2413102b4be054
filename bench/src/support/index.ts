/**
 * `@marquee/bench/support`: what every benchmark of this workspace shares — a clean start of its stack,
 * the closed-loop load runner, latency percentiles, per-process CPU from /proc, CPU profile summaries, and
 * result files.
 */
export {
  type AreaTime,
  areaOf,
  type CpuProfile,
  type FunctionTime,
  type ProfileSummary,
  profileMentions,
  readProfile,
  type SummaryOptions,
  summariseProfile,
} from "./cpu-profile.js";
export { LatencyRecorder, type LatencySummary, percentile } from "./latency.js";
export {
  type LoadOptions,
  type LoadResult,
  monotonicUs,
  type Operation,
  runLoad,
  SupplyExhausted,
} from "./load.js";
export {
  type CpuSnapshot,
  type CpuUse,
  cpuBetween,
  cpuSecondsOf,
  findPids,
  type ProcessGroup,
  snapshotCpu,
  type ThreadCores,
  type ThreadSeconds,
  threadSecondsOf,
  withDescendants,
} from "./process-cpu.js";
export {
  benchRoot,
  formatNumber,
  formatWithBiome,
  type MachineInfo,
  machineInfo,
  markdownTable,
  replaceReadmeSection,
  withSection,
  writeResults,
} from "./results.js";
export { type BenchStackConfig, prepareBenchRun, profileDirOf, startBenchStack } from "./stack.js";
