import { gunzipSync } from "node:zlib";
import type { JsonValue } from "@bufbuild/protobuf";
import { parseEnvelopes } from "./envelopes.js";
import type { Seed } from "./seeds.js";

/** A seed that changed or vanished although no successful call named it. */
export interface StateChange {
  readonly seed: string;
  readonly id: string;
  readonly role: Seed["role"];
  readonly what: "vanished" | "changed";
  /** The fields whose values differ, for a change. */
  readonly fields: readonly string[];
  /** Calls naming the seed that answered an error (at most five): the likely culprits. */
  readonly suspects: readonly string[];
}

/**
 * Which seeds the calls of mutating RPCs named: the request body is searched for every seed's id (unzipped
 * where its envelope or encoding says gzip, in lower case, so an id in any case counts as named), and only
 * the ids found are kept — a long run's bodies would not fit in memory.
 */
export class MutationLog {
  private readonly watched: readonly string[];
  private readonly namedBySuccess = new Set<string>();
  private readonly failuresById = new Map<string, string[]>();
  private successes = 0;

  constructor(seeds: readonly Seed[]) {
    this.watched = [...new Set(seeds.flatMap((seed) => seed.relatedIds))].filter((id) => id !== "");
  }

  record(body: Uint8Array, isOk: boolean, summary: string): void {
    const text = searchableText(body);
    if (isOk) this.successes++;
    for (const id of this.watched) {
      if (!text.includes(id.toLowerCase())) continue;
      if (isOk) {
        this.namedBySuccess.add(id);
      } else {
        const list = this.failuresById.get(id) ?? [];
        if (list.length < 5) list.push(summary);
        this.failuresById.set(id, list);
      }
    }
  }

  /** Whether a successful call named any of `ids`. */
  isNamedBySuccess(ids: readonly string[]): boolean {
    return ids.some((id) => this.namedBySuccess.has(id));
  }

  /** Failed calls that named `id` (the first five). */
  failuresNaming(id: string): string[] {
    return this.failuresById.get(id) ?? [];
  }

  get successCount(): number {
    return this.successes;
  }
}

/** The seeds as they are now: JSON, undefined for one that is gone, `{ readError }` for one that fails to read. */
export async function readSeeds(seeds: readonly Seed[]): Promise<Map<string, JsonValue | undefined>> {
  const state = new Map<string, JsonValue | undefined>();
  for (const seed of seeds) {
    try {
      state.set(seed.id, await seed.read());
    } catch (error) {
      state.set(seed.id, { readError: String(error) });
    }
  }
  return state;
}

/**
 * The seeds that changed between `before` and `after` with no successful mutating call naming them or a
 * resource they belong to. A hold that lapsed on its own (EXPIRED at its unchanged expiry time, which has
 * passed) is not a change.
 */
export function stateChanges(
  seeds: readonly Seed[],
  before: ReadonlyMap<string, JsonValue | undefined>,
  after: ReadonlyMap<string, JsonValue | undefined>,
  log: MutationLog,
): StateChange[] {
  const changes: StateChange[] = [];
  for (const seed of seeds) {
    const was = before.get(seed.id);
    const is = after.get(seed.id);
    if (was === undefined) continue;
    const fields = is === undefined ? [] : differingFields(was, is);
    if (is !== undefined && fields.length === 0) continue;
    if (is !== undefined && seed.kind === "hold" && hasLapsed(was, is, fields)) continue;
    if (log.isNamedBySuccess(seed.relatedIds)) continue;
    changes.push({
      seed: seed.label,
      id: seed.id,
      role: seed.role,
      what: is === undefined ? "vanished" : "changed",
      fields,
      suspects: seed.relatedIds.flatMap((id) => log.failuresNaming(id)).slice(0, 5),
    });
  }
  return changes;
}

function differingFields(was: JsonValue, is: JsonValue): string[] {
  const a = (was ?? {}) as Record<string, JsonValue>;
  const b = (is ?? {}) as Record<string, JsonValue>;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key])).sort();
}

function hasLapsed(was: JsonValue, is: JsonValue, fields: readonly string[]): boolean {
  const hold = is as { state?: string; expireTime?: string };
  const expiry = Date.parse(hold.expireTime ?? "");
  return (
    fields.every((field) => field === "state") &&
    hold.state === "HOLD_STATE_EXPIRED" &&
    (was as { expireTime?: string }).expireTime === hold.expireTime &&
    expiry <= Date.now()
  );
}

/** A request body as lower-case text, with gzip-compressed envelopes or bodies unzipped. */
function searchableText(body: Uint8Array): string {
  const parts: Uint8Array[] = [body];
  for (const envelope of parseEnvelopes(body).envelopes) parts.push(unzipped(envelope.payload) ?? envelope.payload);
  const whole = unzipped(body);
  if (whole !== undefined) parts.push(whole);
  return parts.map((part) => Buffer.from(part).toString("latin1").toLowerCase()).join("\n");
}

function unzipped(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return undefined;
  try {
    return gunzipSync(bytes, { maxOutputLength: 4 * 1024 * 1024 });
  } catch {
    return undefined;
  }
}

/** A state change as a finding's line. */
export function describeChange(change: StateChange): string {
  const what = change.what === "vanished" ? "vanished" : `changed (${change.fields.join(", ")})`;
  const suspects = change.suspects.length > 0 ? `; failed calls naming it: ${change.suspects.join(" | ")}` : "";
  return `${change.role} seed ${change.seed} ${change.id} ${what} with no successful call naming it${suspects}`;
}
