import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Redis } from "ioredis";

/** The hold scripts, by name: each is `lua/common.lua` followed by `lua/<name>.lua`. */
export const SCRIPT_NAMES = [
  "hold",
  "best-available",
  "extend",
  "release",
  "commit",
  "release-sold",
  "sweep",
  "load",
  "rebuild",
] as const;

/** The name of one hold script. */
export type ScriptName = (typeof SCRIPT_NAMES)[number];

const common = readLua("common");
const sources = new Map<ScriptName, { readonly source: string; readonly sha: string }>(
  SCRIPT_NAMES.map((name) => {
    const source = `${common}\n${readLua(name)}`;
    return [name, { source, sha: createHash("sha1").update(source).digest("hex") }];
  }),
);

function readLua(name: string): string {
  return readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), "utf8");
}

/**
 * Runs the hold scripts by EVALSHA. `load()` sends them once with SCRIPT LOAD; a server that lost them
 * (a restart, a failover, SCRIPT FLUSH) answers NOSCRIPT, and the script is loaded again and retried once.
 */
export class HoldScripts {
  constructor(private readonly redis: Redis) {}

  /** Loads every script into the server's script cache. */
  async load(): Promise<void> {
    for (const { source, sha } of sources.values()) {
      const loaded = await this.redis.script("LOAD", source);
      if (loaded !== sha) throw new Error(`redis hashed a hold script as ${String(loaded)}, expected ${sha}`);
    }
  }

  /** Runs a script on an event's meta key with string arguments, reloading it on NOSCRIPT. */
  async run(name: ScriptName, metaKey: string, args: readonly (string | number)[]): Promise<unknown> {
    const script = sources.get(name);
    if (!script) throw new Error(`unknown hold script ${name}`);
    try {
      return await this.redis.evalsha(script.sha, 1, metaKey, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      await this.redis.script("LOAD", script.source);
      return await this.redis.evalsha(script.sha, 1, metaKey, ...args);
    }
  }
}
