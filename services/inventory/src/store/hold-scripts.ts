import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Cluster, type Redis } from "ioredis";

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
  "close",
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
 * On a Redis Cluster the script cache is per node and EVALSHA goes to the node owning the event's slot,
 * so scripts are loaded into every master.
 */
export class HoldScripts {
  constructor(private readonly redis: Redis | Cluster) {}

  /** Loads every script into the script cache of the server, or of every master of a cluster. */
  async load(): Promise<void> {
    const servers = await this.servers();
    for (const { source, sha } of sources.values()) {
      const loaded = await Promise.all(servers.map((server) => server.script("LOAD", source)));
      const wrong = loaded.find((hash) => hash !== sha);
      if (wrong !== undefined) throw new Error(`redis hashed a hold script as ${String(wrong)}, expected ${sha}`);
    }
  }

  /**
   * Runs a script with `keys` (`scriptKeys` of the event, in that order) and string arguments, reloading
   * it on NOSCRIPT.
   */
  async run(name: ScriptName, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    const script = sources.get(name);
    if (!script) throw new Error(`unknown hold script ${name}`);
    try {
      return await this.redis.evalsha(script.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      await Promise.all((await this.servers()).map((server) => server.script("LOAD", script.source)));
      return await this.redis.evalsha(script.sha, keys.length, ...keys, ...args);
    }
  }

  /** The servers whose script caches EVALSHA reads: the one server, or every master of a cluster. */
  private async servers(): Promise<Redis[]> {
    if (!(this.redis instanceof Cluster)) return [this.redis];
    // A cluster client learns its masters from CLUSTER SLOTS; a PING waits until it has (and connects a
    // lazy client), so no master is missed.
    await this.redis.ping();
    return this.redis.nodes("master");
  }
}
