import { codeNames } from "./answer.js";
import type { FuzzReport } from "./campaign.js";
import type { CountTable, FindingGroup } from "./counts.js";

/** Outcomes in the order the tables show them: OK, then codes by number, then the outcomes with none. */
export function outcomeColumns(tables: readonly CountTable[]): string[] {
  const seen = new Set(tables.flatMap((table) => Object.values(table).flatMap((row) => Object.keys(row))));
  const order = [...codeNames, "NO-STATUS", "HANG", "CUT"];
  return [...seen].sort((a, b) => rank(order, a) - rank(order, b) || a.localeCompare(b));
}

function rank(order: readonly string[], name: string): number {
  const index = order.indexOf(name);
  return index < 0 ? order.length : index;
}

/** Rows of `table` under `columns`, with a total column; rows in `rowOrder` first. */
export function tableRows(table: CountTable, columns: readonly string[], rowOrder: readonly string[] = []): string[][] {
  const rows = [...new Set([...rowOrder.filter((row) => table[row] !== undefined), ...Object.keys(table).sort()])];
  return rows.map((row) => {
    const counts = table[row] ?? {};
    const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
    return [row, ...columns.map((column) => String(counts[column] ?? 0)), String(total)];
  });
}

/** A plain-text table with aligned columns, for the console and a failing test's message. */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ");
  return [line(headers), ...rows.map(line)].join("\n");
}

/** One finding group with its reproducer, as lines. */
export function findingText(group: FindingGroup): string {
  const where = [
    group.rpcs.length > 0
      ? `RPCs: ${group.rpcs.slice(0, 8).join(", ")}${group.rpcs.length > 8 ? ` and ${group.rpcs.length - 8} more` : ""}`
      : "",
    group.protocols.length > 0 ? `over ${group.protocols.join(", ")}` : "",
  ]
    .filter(Boolean)
    .join(" ");
  const lines = [`[${group.class}] ${group.summary} (×${group.count})${where === "" ? "" : ` — ${where}`}`];
  const r = group.reproducer;
  if (r !== undefined) {
    lines.push(
      `    reproduce: ${r.protocol} POST ${r.path} as ${r.tokenKind}; input: ${r.input}`,
      `    headers: ${JSON.stringify(r.headers)}`,
      `    body (${r.bodyBytes} bytes${r.bodyBytes > 64 * 1024 ? ", first 64 KiB" : ""}, base64): ${clip(r.bodyBase64, 600)}`,
      `    answer: ${r.answer.outcome}${r.answer.httpStatus === undefined ? "" : ` HTTP ${r.answer.httpStatus}`} after ${r.answer.durationMs} ms, ` +
        `${r.answer.errorBytes} error bytes: ${clip(r.answer.message, 200)}${r.answer.detail ? ` [${r.answer.detail}]` : ""}`,
      `    generated as case ${r.caseIndex} of FUZZ_SEED=${r.seed}`,
    );
  }
  return lines.join("\n");
}

/** The whole report as text: what the test prints and the bench prints. */
export function summaryText(report: FuzzReport): string {
  const { counts } = report;
  const outcomes = outcomeColumns([counts.byProtocol, counts.byRpc]);
  const statuses = outcomeColumns([counts.httpByProtocol]);
  const served = report.rpcs.filter((rpc) => rpc.isServed).length;
  const parts = [
    `Fuzz run: seed ${report.seed}, ${report.requests} requests in ${Math.round(report.durationMs / 1000)} s over ` +
      `${report.rpcs.length} public RPCs (${served} served by this stack), ${report.concurrency} callers; ` +
      `${report.successfulMutations} successful mutating calls; ${report.findingCount} findings.`,
    "",
    "By protocol and code:",
    textTable(["protocol", ...outcomes, "total"], tableRows(counts.byProtocol, outcomes)),
    "",
    "By protocol and HTTP status:",
    textTable(["protocol", ...statuses, "total"], tableRows(counts.httpByProtocol, statuses)),
    "",
    "By RPC and code:",
    textTable(["rpc", ...outcomes, "total"], tableRows(counts.byRpc, outcomes)),
    "",
    `Resident memory, MB (a finding past +${report.memoryGrowthLimitMb} MB after the run):`,
    textTable(
      ["process", "before", "peak during", "after", "growth"],
      report.memory.map((row) => [
        `${row.process}${row.measure === "pss" ? " (PSS, all backends)" : ""}`,
        row.beforeMb.toFixed(1),
        row.peakMb.toFixed(1),
        row.afterMb.toFixed(1),
        (row.afterMb - row.beforeMb).toFixed(1),
      ]),
    ),
    "",
    `Readiness (/readyz each second): ${report.readinessChecks.ok} OK, ${report.readinessChecks.notOk} not ready, ${report.readinessChecks.slow} without an answer in 3 s.`,
    "",
    "Slowest unary calls:",
    ...report.slowest.map(
      (call) => `- ${call.ms} ms: ${call.rpc} over ${call.protocol}, ${call.outcome} (${call.input})`,
    ),
    "",
    "Seeds:",
    ...report.seeds.map((seed) => `- ${seed.role} ${seed.label}: ${seed.fate}`),
  ];
  if (report.findings.length > 0) {
    parts.push("", `Findings (${report.findings.length} distinct, ${report.findingCount} in all):`);
    for (const group of report.findings) parts.push(findingText(group));
    if (report.droppedFindings > 0) parts.push(`… and ${report.droppedFindings} more of other kinds, not grouped`);
  }
  return parts.join("\n");
}

function clip(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}
