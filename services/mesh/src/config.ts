/**
 * A process's configuration, declared once in its `src/config.ts` and read from the environment at
 * start-up. Nothing else in a service reads `process.env`.
 *
 * ```ts
 * export const config = loadConfig({
 *   PORT: port(50051, "gRPC port"),
 *   DATABASE_URL: url("PostgreSQL connection string"),
 *   HOLD_SWEEP_MS: integer(1000, "how often lapsed holds are released", { min: 100 }),
 * });
 * ```
 *
 * Every missing or bad variable is reported at once , and the process stops.
 */

/** One variable: how to parse it, its default (absent = required), and one line of documentation. */
export interface Setting<T> {
  readonly doc: string;
  readonly defaultValue?: T;
  readonly isSecret: boolean;
  parse(raw: string): T;
}

export type Values<S extends Record<string, Setting<unknown>>> = {
  readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never;
};

/** Thrown by `loadConfig` with every problem found, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

function setting<T>(doc: string, parse: (raw: string) => T, defaultValue?: T, isSecret = false): Setting<T> {
  return defaultValue === undefined ? { doc, parse, isSecret } : { doc, parse, defaultValue, isSecret };
}

/** A string. Required unless a default is given. */
export function string(doc: string, defaultValue?: string): Setting<string> {
  return setting(doc, (raw) => raw, defaultValue);
}

/** A secret string: required unless defaulted, and never printed by `describeConfig`. */
export function secret(doc: string, defaultValue?: string): Setting<string> {
  return setting(doc, (raw) => raw, defaultValue, true);
}

/** An integer within optional bounds. */
export function integer(
  doc: string,
  defaultValue?: number,
  bounds: { min?: number; max?: number } = {},
): Setting<number> {
  return setting(
    doc,
    (raw) => {
      if (!/^-?\d+$/.test(raw.trim())) throw new Error(`must be an integer, got "${raw}"`);
      const value = Number(raw);
      if (bounds.min !== undefined && value < bounds.min) throw new Error(`must be at least ${bounds.min}`);
      if (bounds.max !== undefined && value > bounds.max) throw new Error(`must be at most ${bounds.max}`);
      return value;
    },
    defaultValue,
  );
}

/** A TCP port, 0 to 65535 (0 picks a free port). */
export function port(doc: string, defaultValue?: number): Setting<number> {
  return integer(doc, defaultValue, { min: 0, max: 65535 });
}

/** `true`/`false` (also `1`/`0`, `yes`/`no`). */
export function boolean(doc: string, defaultValue?: boolean): Setting<boolean> {
  return setting(
    doc,
    (raw) => {
      const value = raw.trim().toLowerCase();
      if (["true", "1", "yes"].includes(value)) return true;
      if (["false", "0", "no"].includes(value)) return false;
      throw new Error(`must be true or false, got "${raw}"`);
    },
    defaultValue,
  );
}

/** A URL with one of the given schemes (any scheme when none is given). */
export function url(doc: string, defaultValue?: string, schemes: readonly string[] = []): Setting<string> {
  return setting(
    doc,
    (raw) => {
      let parsed: URL;
      try {
        parsed = new URL(raw);
      } catch {
        throw new Error("must be a URL");
      }
      if (schemes.length > 0 && !schemes.includes(parsed.protocol.replace(/:$/, ""))) {
        throw new Error(`must be a ${schemes.join(" or ")} URL`);
      }
      return raw;
    },
    defaultValue,
  );
}

/** A host:port address of an upstream service (the `<SERVICE>_ADDR` variables). */
export function address(doc: string, defaultValue?: string): Setting<string> {
  return setting(
    doc,
    (raw) => {
      if (!/^[\w.-]+:\d{1,5}$|^\[[\da-f:]+\]:\d{1,5}$/i.test(raw)) throw new Error(`must be host:port, got "${raw}"`);
      return raw;
    },
    defaultValue,
  );
}

/** One of a fixed set of words. */
export function oneOf<const T extends string>(doc: string, choices: readonly T[], defaultValue?: T): Setting<T> {
  return setting(
    doc,
    (raw) => {
      if (!(choices as readonly string[]).includes(raw)) throw new Error(`must be one of ${choices.join(", ")}`);
      return raw as T;
    },
    defaultValue,
  );
}

/**
 * Reads every declared variable from `env`, applying defaults; throws a ConfigError listing every
 * missing or unparsable one. Empty strings count as unset.
 */
export function loadConfig<S extends Record<string, Setting<unknown>>>(
  settings: S,
  env: Record<string, string | undefined> = process.env,
): Values<S> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(settings)) {
    const raw = env[name];
    if (raw === undefined || raw === "") {
      if (spec.defaultValue === undefined) problems.push(`${name} is required: ${spec.doc}`);
      else values[name] = spec.defaultValue;
      continue;
    }
    try {
      values[name] = spec.parse(raw);
    } catch (error) {
      problems.push(`${name} ${(error as Error).message}: ${spec.doc}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values as Values<S>;
}

/**
 * `loadConfig` for a process's entry point: on a ConfigError it prints every problem as one JSON log line
 * and exits with status 78 (EX_CONFIG), before anything starts.
 */
export function loadConfigOrExit<S extends Record<string, Setting<unknown>>>(service: string, settings: S): Values<S> {
  try {
    return loadConfig(settings);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(
      `${JSON.stringify({ level: "fatal", service, msg: "invalid configuration", problems: error.problems })}\n`,
    );
    process.exit(78);
  }
}

/** The settings as a table for READMEs and `--help`: name, default, doc. Secrets show no default. */
export function describeConfig(settings: Record<string, Setting<unknown>>): string {
  return Object.entries(settings)
    .map(([name, spec]) => {
      const fallback =
        spec.defaultValue === undefined ? "(required)" : spec.isSecret ? "(secret)" : String(spec.defaultValue);
      return `${name}\t${fallback}\t${spec.doc}`;
    })
    .join("\n");
}
