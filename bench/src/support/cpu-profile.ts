import { readFileSync } from "node:fs";

/**
 * Summaries of V8 CPU profiles (`node --cpu-prof`, the `.cpuprofile` JSON of the DevTools protocol): self
 * time per function and per area (package, Node module, V8), optionally only for a window of the
 * monotonic clock, so one profile of a whole run can be cut to one variant's measured window.
 */

/** A `.cpuprofile` as V8 writes it; times in µs on the monotonic clock. */
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
    readonly columnNumber: number;
  };
}

/** One function's self time. */
export interface FunctionTime {
  readonly name: string;
  /** Where it is: a path relative to the repo or to node_modules, `node:…`, or "" for V8's own entries. */
  readonly location: string;
  readonly area: string;
  readonly selfMs: number;
  /** Of the busy (non-idle) time of the window. */
  readonly share: number;
}

/** Self time of an area: a package (`@grpc/grpc-js`), a workspace (`@marquee/inventory`), `node:http2`, V8. */
export interface AreaTime {
  readonly area: string;
  readonly selfMs: number;
  readonly share: number;
}

export interface ProfileSummary {
  /** The time the summarised samples span. */
  readonly sampledMs: number;
  readonly idleMs: number;
  readonly busyMs: number;
  /** Busy time over sampled time: the share of one core the profiled thread used. */
  readonly busyShare: number;
  readonly samples: number;
  /** Functions by self time, idle excluded, most first. */
  readonly top: readonly FunctionTime[];
  readonly areas: readonly AreaTime[];
}

/** Options of {@link summariseProfile}. */
export interface SummaryOptions {
  /** Only samples taken in [fromUs, toUs) of the monotonic clock. @default the whole profile */
  readonly fromUs?: number;
  readonly toUs?: number;
  /** How many functions to list. @default 15 */
  readonly top?: number;
  /** Absolute path of the repository, cut from locations. */
  readonly repoRoot?: string;
}

export function readProfile(path: string): CpuProfile {
  return JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
}

/** Whether any of the profile's functions comes from a file whose path contains `fragment`. */
export function profileMentions(profile: CpuProfile, fragment: string): boolean {
  return profile.nodes.some((node) => node.callFrame.url.includes(fragment));
}

/**
 * Self time by function (name + file + line, so two anonymous functions of one file stay apart) and by
 * area. A sample's time is the gap to the next sample, as DevTools counts it.
 */
export function summariseProfile(profile: CpuProfile, options: SummaryOptions = {}): ProfileSummary {
  const fromUs = options.fromUs ?? Number.NEGATIVE_INFINITY;
  const toUs = options.toUs ?? Number.POSITIVE_INFINITY;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  let sampledUs = 0;
  let samples = 0;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    const next = i + 1 < profile.samples.length ? at + (profile.timeDeltas[i + 1] ?? 0) : profile.endTime;
    if (at < fromUs || at >= toUs) continue;
    const id = profile.samples[i] as number;
    const duration = Math.max(0, next - at);
    selfUs.set(id, (selfUs.get(id) ?? 0) + duration);
    sampledUs += duration;
    samples++;
  }

  const byFunction = new Map<string, { name: string; location: string; area: string; us: number }>();
  const byArea = new Map<string, number>();
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = nodes.get(id)?.callFrame;
    if (frame === undefined) continue;
    if (frame.functionName === "(idle)") {
      idleUs += us;
      continue;
    }
    const area = areaOf(frame.functionName, frame.url);
    const location = locationOf(frame.url, frame.lineNumber, options.repoRoot);
    const name = frame.functionName || "(anonymous)";
    const key = `${name}\u0000${location}`;
    const entry = byFunction.get(key) ?? { name, location, area, us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  }
  const busyUs = sampledUs - idleUs;
  const share = (us: number) => (busyUs > 0 ? us / busyUs : 0);
  return {
    sampledMs: sampledUs / 1000,
    idleMs: idleUs / 1000,
    busyMs: busyUs / 1000,
    busyShare: sampledUs > 0 ? busyUs / sampledUs : 0,
    samples,
    top: [...byFunction.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, options.top ?? 15)
      .map((f) => ({ name: f.name, location: f.location, area: f.area, selfMs: f.us / 1000, share: share(f.us) })),
    areas: [...byArea.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([area, us]) => ({ area, selfMs: us / 1000, share: share(us) })),
  };
}

/** The area a function belongs to, from its URL: a package, a workspace, a Node module, or V8 itself. */
export function areaOf(functionName: string, url: string): string {
  if (url === "") {
    if (functionName === "(garbage collector)") return "V8: garbage collector";
    if (functionName === "(program)") return "V8: native, unattributed";
    return "V8: builtins";
  }
  if (url.startsWith("node:")) {
    const path = url.slice("node:".length).split("/");
    return `node:${path[0] === "internal" ? (path[1] ?? "internal") : path[0]}`.replace(/\.js$/, "");
  }
  const packaged = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (packaged) return packaged[1] as string;
  const workspace = /\/(?:services\/([^/]+)|(bff|scripts|bench|e2e))\/(?:src|test)\//.exec(url);
  if (workspace) return `@marquee/${workspace[1] ?? workspace[2]}`;
  if (url.includes("/proto/gen/")) return "@marquee/proto";
  return "other";
}

/** A short location: repo- or node_modules-relative path and 1-based line. */
function locationOf(url: string, lineNumber: number, repoRoot?: string): string {
  if (url === "") return "";
  let path = url.replace(/^file:\/\//, "");
  const inModules = path.lastIndexOf("node_modules/");
  if (inModules >= 0) path = path.slice(inModules + "node_modules/".length);
  else if (repoRoot !== undefined && path.startsWith(repoRoot)) path = path.slice(repoRoot.length).replace(/^\//, "");
  return `${path}:${lineNumber + 1}`;
}
