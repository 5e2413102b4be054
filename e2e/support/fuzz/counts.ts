import { type Answer, outcomeName } from "./answer.js";
import type { Finding, FindingClass, Reproducer } from "./oracle.js";

/** `table[row][column]` counts. */
export type CountTable = Record<string, Record<string, number>>;

/** How the answers fell: by protocol and code, by protocol and HTTP status, by RPC and code. */
export class Counts {
  readonly byProtocol: CountTable = {};
  readonly httpByProtocol: CountTable = {};
  readonly byRpc: CountTable = {};
  total = 0;

  record(rpc: string, answer: Answer): void {
    const outcome = outcomeName(answer);
    this.total++;
    bump(this.byProtocol, answer.protocol, outcome);
    bump(this.httpByProtocol, answer.protocol, answer.httpStatus === undefined ? "none" : String(answer.httpStatus));
    bump(this.byRpc, rpc, outcome);
  }
}

function bump(table: CountTable, row: string, column: string): void {
  const counts = table[row] ?? {};
  counts[column] = (counts[column] ?? 0) + 1;
  table[row] = counts;
}

/**
 * Findings that read alike — same class, message and kind of damage to the request, numbers and ids aside
 * (a generic "internal error" from a bad header and one from a bad timestamp stay apart): one line, one
 * reproducer.
 */
export interface FindingGroup {
  readonly class: FindingClass;
  readonly summary: string;
  readonly count: number;
  readonly rpcs: readonly string[];
  readonly protocols: readonly string[];
  /** The first occurrence's request and answer. */
  readonly reproducer: Reproducer | undefined;
}

/** Groups findings as they arrive, keeping each group's first reproducer and at most `limit` groups. */
export class FindingBook {
  private readonly groups = new Map<string, { group: FindingGroup; rpcs: Set<string>; protocols: Set<string> }>();
  private dropped = 0;
  total = 0;

  constructor(private readonly limit = 200) {}

  add(finding: Finding): void {
    this.total++;
    const key = `${finding.class}|${normalized(finding.summary)}|${damageOf(finding.reproducer?.input ?? "")}`;
    const known = this.groups.get(key);
    if (known !== undefined) {
      if (finding.rpc !== undefined) known.rpcs.add(finding.rpc);
      if (finding.protocol !== undefined) known.protocols.add(finding.protocol);
      known.group = { ...known.group, count: known.group.count + 1 };
      return;
    }
    if (this.groups.size >= this.limit) {
      this.dropped++;
      return;
    }
    this.groups.set(key, {
      group: {
        class: finding.class,
        summary: finding.summary,
        count: 1,
        rpcs: [],
        protocols: [],
        reproducer: finding.reproducer,
      },
      rpcs: new Set(finding.rpc === undefined ? [] : [finding.rpc]),
      protocols: new Set(finding.protocol === undefined ? [] : [finding.protocol]),
    });
  }

  /** The groups, by class then count; `dropped` findings arrived after the group limit. */
  list(): { groups: FindingGroup[]; dropped: number } {
    const groups = [...this.groups.values()]
      .map(({ group, rpcs, protocols }) => ({ ...group, rpcs: [...rpcs].sort(), protocols: [...protocols].sort() }))
      .sort((a, b) => a.class.localeCompare(b.class) || b.count - a.count);
    return { groups, dropped: this.dropped };
  }
}

/** What was done to a request beyond generating it ("header idempotency-key", "truncated to # of #"). */
function damageOf(input: string): string {
  const [, ...damage] = input.split("; ");
  return normalized(damage.filter((part) => part !== "regenerated for JSON").join("; ")).slice(0, 40);
}

/** A summary with its variable parts (ids, numbers, quoted values) taken out. */
function normalized(summary: string): string {
  return summary
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "<id>")
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\d+/g, "#")
    .slice(0, 120);
}
