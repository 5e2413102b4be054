import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@marquee/scripts/stack";
import { type ProfileSummary, profileMentions, readProfile, summariseProfile } from "../support/cpu-profile.js";
import type { ProcessGroup } from "../support/process-cpu.js";
import { nodeProcesses } from "./processes.js";

/** One Node process's profile, cut to the checkout window. */
export interface ProcessProfile {
  readonly process: string;
  readonly file: string;
  readonly summary: ProfileSummary;
}

/**
 * The profiles the stack's Node processes wrote on exit, each cut to `[fromUs, toUs)`. A profile is found by
 * its pid and main thread in the file name (CPU.<date>.<time>.<pid>.<thread>.<sequence>.cpuprofile; a
 * process with module hooks, as telemetry registers, also profiles the hooks' worker thread) and checked to
 * be the right program.
 */
export function profilesOf(
  profileDir: string,
  groups: readonly ProcessGroup[],
  window: { readonly fromUs: number; readonly toUs: number },
  top: number,
): { profiles: ProcessProfile[]; missing: string[] } {
  if (!existsSync(profileDir)) return { profiles: [], missing: [`no profiles were written to ${profileDir}`] };
  const files = readdirSync(profileDir).filter((name) => name.endsWith(".cpuprofile"));
  const profiles: ProcessProfile[] = [];
  const missing: string[] = [];
  for (const { name, entry } of nodeProcesses) {
    const pid = String(groups.find((g) => g.name === name)?.pids()[0]);
    const found = files.find((file) => file.split(".")[3] === pid && file.split(".")[4] === "0");
    if (found === undefined) {
      missing.push(`${name} (no profile file for pid ${pid})`);
      continue;
    }
    const file = join(profileDir, found);
    const profile = readProfile(file);
    if (!profileMentions(profile, entry)) {
      missing.push(`${name} (${file} is not its profile)`);
      continue;
    }
    if (window.fromUs < profile.startTime || window.toUs > profile.endTime) {
      missing.push(`${name} (its profile does not cover the checkout window)`);
      continue;
    }
    profiles.push({ process: name, file, summary: summariseProfile(profile, { ...window, top, repoRoot }) });
  }
  return { profiles, missing };
}
