import { existsSync, readFileSync } from "node:fs";
import { type DescMessage, fromBinary, fromJson, type JsonValue, type Message } from "@bufbuild/protobuf";
import type { Stack } from "@marquee/scripts/stack";
import { type Answer, outcomeName } from "./answer.js";
import { BffClient, type Lane } from "./bff-client.js";
import { buildCase, type CaseContext, type FuzzCase } from "./case-builder.js";
import { Counts, FindingBook, type FindingGroup } from "./counts.js";
import { type MemoryRow, MemoryWatch, stackProcesses } from "./memory.js";
import { type Finding, judge } from "./oracle.js";
import { isBinary, protocols } from "./protocols.js";
import { publicRpcs } from "./public-rpcs.js";
import { forCase } from "./random.js";
import { reproducerOf, requestTextOf } from "./reproducer.js";
import { plantSeeds } from "./seeds.js";
import { servedRpcs } from "./served-rpcs.js";
import { describeChange, MutationLog, readSeeds, stateChanges } from "./state-oracle.js";
import { type FuzzTokens, mintFuzzTokens } from "./tokens.js";
import { defaultTiming, type SendTiming } from "./wire-request.js";

/** How a fuzz run goes. */
export interface FuzzOptions {
  /** A running stack (`startStack`); the run plants its own seeds in it. */
  readonly stack: Stack;
  /** Requests to send, over every public RPC and the four protocols in turn. */
  readonly requests: number;
  readonly seed: number;
  /** Callers sending side by side, each with its own connections. */
  readonly concurrency: number;
  /** @default 15 s deadline per unary call, server streams cut after 1.5 s */
  readonly timing?: SendTiming;
  /** Progress lines. @default nothing */
  readonly say?: (line: string) => void;
  /** @default 5 s */
  readonly progressEveryMs?: number;
  /**
   * A process ending the run this many MB above where it started is a finding. 400 MB: a Node process
   * holding a few concurrent 1 MB requests and their decoded copies grows by tens of MB and V8 keeps
   * that heap; the leak of issue #27 was +690 MB over 20,000 requests. @default 400
   */
  readonly memoryGrowthLimitMb?: number;
  /** A pause after the last request before memory and the seeds are read, so GC and lapsed work settle. @default 3 s */
  readonly settleMs?: number;
  /** The users the run signs in as (`freshFuzzUserIds`), when the stack was started knowing them. @default fresh ones */
  readonly userIds?: FuzzTokens["userIds"];
}

/** What a run found, and everything needed to read it. */
export interface FuzzReport {
  readonly seed: number;
  readonly requests: number;
  readonly concurrency: number;
  readonly durationMs: number;
  /** Every public RPC, and whether this stack serves it (others answer UNIMPLEMENTED and get 1 in 20). */
  readonly rpcs: readonly { readonly name: string; readonly isServed: boolean; readonly isStreaming: boolean }[];
  readonly counts: Counts;
  readonly findings: readonly FindingGroup[];
  readonly findingCount: number;
  /** Findings past the group limit, counted only. */
  readonly droppedFindings: number;
  readonly memory: readonly MemoryRow[];
  readonly memoryGrowthLimitMb: number;
  readonly seeds: readonly { readonly label: string; readonly role: string; readonly fate: string }[];
  readonly successfulMutations: number;
  readonly readinessChecks: { readonly ok: number; readonly notOk: number; readonly slow: number };
  /** The slowest unary calls: a bound on latency no finding states, and where to look first. */
  readonly slowest: readonly {
    readonly rpc: string;
    readonly protocol: string;
    readonly ms: number;
    readonly outcome: string;
    readonly input: string;
  }[];
}

/** Answers larger than this are not learned from: their templates would make later requests huge. */
const learnedBytes = 64 * 1024;

/**
 * A fuzz run against `stack`: seeds planted as the fuzz organizer and customer, every public RPC
 * generated from its descriptor and sent over gRPC, gRPC-Web, Connect JSON and Connect binary, every
 * answer judged (`judge`), memory sampled throughout, the BFF's readiness polled, and at the end the
 * seeds read back and compared with what the successful calls explain.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const say = options.say ?? (() => {});
  const timing = options.timing ?? defaultTiming;
  const limitMb = options.memoryGrowthLimitMb ?? 400;
  const bffUrl = options.stack.bffUrl;
  if (bffUrl === undefined) throw new Error("the stack runs no BFF");

  const book = new FindingBook();
  const counts = new Counts();
  const deaths: Finding[] = [];
  let isRunning = true;
  void options.stack.died.then((death) => {
    if (!isRunning) return;
    deaths.push({
      class: "process-exit",
      summary: `${death.name} exited with code ${death.code}${logTail(death.logFile)}`,
    });
  });

  const memory = new MemoryWatch(stackProcesses(options.stack));
  const tokens = await mintFuzzTokens(options.stack.dataDir, options.userIds);
  say(`planting seeds as the fuzz organizer and customer…`);
  const planted = await plantSeeds(bffUrl, tokens);
  const rpcs = await publicRpcs();
  const client = new BffClient(bffUrl);
  const context: CaseContext = { tokens, readFixtures: planted.readFixtures, writeFixtures: planted.writeFixtures };
  const served = await servedRpcs(client.lane(), rpcs, timing);
  const seedsBefore = await readSeeds(planted.seeds);
  const log = new MutationLog(planted.seeds);
  memory.sampleBefore();
  say(
    `seed ${options.seed} (FUZZ_SEED=${options.seed} repeats it): ${options.requests} requests over ${rpcs.length} public RPCs ` +
      `(${served.size} served here), ${options.concurrency} callers, processes: ${memory.processes.map((p) => `${p.name} ${p.pids.join("+")}`).join(", ")}`,
  );

  const readiness = { ok: 0, notOk: 0, slow: 0 };
  const sampler = setInterval(() => {
    memory.sampleDuring();
    void fetch(`${bffUrl}/readyz`, { signal: AbortSignal.timeout(3_000) }).then(
      (response) => {
        if (response.status === 200) {
          readiness.ok++;
        } else if (isRunning) {
          readiness.notOk++;
          book.add({ class: "not-ready", summary: `/readyz answered ${response.status} while the stack was up` });
        }
        return response.body?.cancel();
      },
      () => {
        readiness.slow++;
      },
    );
  }, 1_000);

  const started = performance.now();
  let next = 0;
  let done = 0;
  const progress = setInterval(() => {
    const seconds = (performance.now() - started) / 1000;
    say(`${done}/${options.requests} requests, ${book.total} findings, ${Math.round(done / seconds)} requests/s`);
  }, options.progressEveryMs ?? 5_000);

  const slowest: FuzzReport["slowest"][number][] = [];
  const noteDuration = (fuzzCase: FuzzCase, answer: Answer) => {
    if (fuzzCase.rpc.isStreaming) return;
    const last = slowest.at(-1);
    if (slowest.length >= 5 && last !== undefined && last.ms >= answer.durationMs) return;
    slowest.push({
      rpc: fuzzCase.rpc.name,
      protocol: fuzzCase.protocol,
      ms: Math.round(answer.durationMs),
      outcome: outcomeName(answer),
      input: fuzzCase.input.slice(0, 120),
    });
    slowest.sort((a, b) => b.ms - a.ms);
    slowest.splice(5);
  };
  const weights = rpcs.map((rpc) => [rpc, served.has(rpc.path) ? 1 : 0.05] as const);
  const worker = async (lane: Lane) => {
    for (;;) {
      const index = next++;
      if (index >= options.requests) return;
      const random = forCase(options.seed, index);
      const rpc = random.weighted(weights);
      const protocol = protocols[index % protocols.length] ?? "grpc";
      const fuzzCase = buildCase(index, rpc, protocol, random, context);
      const answer = await lane.send(fuzzCase.request, timing);
      done++;
      counts.record(rpc.name, answer);
      noteDuration(fuzzCase, answer);
      const findings = [
        ...judge({ rpc: rpc.name, request: fuzzCase.request, answer, requestText: requestTextOf(fuzzCase) }),
      ];
      const undecodable = learnFrom(
        fuzzCase,
        answer,
        answer.code === 0 || answer.outcome === "cut" ? context : undefined,
      );
      if (undecodable !== undefined) {
        findings.push({ class: "undecodable-answer", summary: undecodable, rpc: rpc.name, protocol });
      }
      for (const finding of findings) {
        book.add({ ...finding, reproducer: reproducerOf(fuzzCase, answer, tokens, options.seed) });
      }
      if (rpc.isMutating) {
        log.record(fuzzCase.request.body, answer.code === 0, `${rpc.name} over ${protocol}: ${outcomeName(answer)}`);
      }
    }
  };
  const lanes = Array.from({ length: options.concurrency }, () => client.lane());
  try {
    await Promise.all(lanes.map(worker));
  } finally {
    clearInterval(progress);
    clearInterval(sampler);
  }
  const durationMs = performance.now() - started;
  say(`${done} requests in ${Math.round(durationMs / 1000)} s; settling, then reading the seeds back…`);
  await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 3_000));
  memory.sampleAfter();
  const seedsAfter = await readSeeds(planted.seeds);
  isRunning = false;
  client.close();

  const changes = stateChanges(planted.seeds, seedsBefore, seedsAfter, log);
  for (const change of changes) book.add({ class: "state-change", summary: describeChange(change) });
  for (const row of memory.rows()) {
    if (row.afterMb - row.beforeMb > limitMb) {
      book.add({
        class: "memory",
        summary: `${row.process} grew from ${row.beforeMb} MB to ${row.afterMb} MB (peak ${row.peakMb} MB), past the +${limitMb} MB bound`,
      });
    }
  }
  for (const death of deaths) book.add(death);
  const { groups, dropped } = book.list();
  return {
    seed: options.seed,
    requests: done,
    concurrency: options.concurrency,
    durationMs,
    rpcs: rpcs.map((rpc) => ({ name: rpc.name, isServed: served.has(rpc.path), isStreaming: rpc.isStreaming })),
    counts,
    findings: groups,
    findingCount: book.total,
    droppedFindings: dropped,
    memory: memory.rows(),
    memoryGrowthLimitMb: limitMb,
    seeds: planted.seeds.map((seed) => ({
      label: `${seed.label} (${seed.id})`,
      role: seed.role,
      fate: fateOf(
        seedsBefore.get(seed.id),
        seedsAfter.get(seed.id),
        changes.some((c) => c.id === seed.id),
      ),
    })),
    successfulMutations: log.successCount,
    readinessChecks: readiness,
    slowest,
  };
}

/**
 * Decodes the messages of an OK answer (or of a stream the client cut) as the RPC's output and, when the
 * run is still learning, keeps their ids and resources for later requests. Returns why the answer does not
 * decode, if it does not.
 */
function learnFrom(fuzzCase: FuzzCase, answer: Answer, context: CaseContext | undefined): string | undefined {
  if (context === undefined) return undefined;
  const schema = fuzzCase.rpc.method.output;
  for (const payload of answer.messages.slice(0, 4)) {
    let message: Message;
    try {
      message = decode(schema, payload, isBinary(fuzzCase.protocol));
    } catch (error) {
      return `an OK answer that does not decode as ${schema.typeName}: ${String(error).slice(0, 120)}`;
    }
    if (payload.length <= learnedBytes) {
      // Bystander seeds an answer mentions stay out of the write fixtures: they exclude them.
      context.readFixtures.learn(schema, message);
      context.writeFixtures.learn(schema, message);
    }
  }
  return undefined;
}

function decode(schema: DescMessage, payload: Uint8Array, isBinaryPayload: boolean): Message {
  if (isBinaryPayload) return fromBinary(schema, payload);
  return fromJson(schema, JSON.parse(new TextDecoder().decode(payload)) as JsonValue, { ignoreUnknownFields: true });
}

function fateOf(before: JsonValue | undefined, after: JsonValue | undefined, isFinding: boolean): string {
  if (JSON.stringify(before) === JSON.stringify(after)) return "unchanged";
  const what = after === undefined ? "gone" : "changed";
  return isFinding ? `${what} behind an error` : `${what} by a successful call naming it`;
}

/** The last lines of a dead process's log, which lives in a data directory tests remove. */
function logTail(path: string): string {
  if (!existsSync(path)) return "";
  const lines = readFileSync(path, "utf8").trimEnd().split("\n").slice(-6);
  return `; its log ends:\n${lines.join("\n")}`;
}
