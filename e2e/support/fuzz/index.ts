/**
 * Marquee's own fuzzer: requests generated from the descriptors of every public RPC, sent raw over gRPC,
 * gRPC-Web, Connect JSON and Connect binary through the BFF, and judged by an oracle that also watches
 * the stack's processes, memory, readiness and seeded data. `e2e/fuzz.test.ts` runs it briefly in
 * `npm test`; `npm run bench -- fuzz` runs it long.
 */
export { type Answer, codeNames, outcomeName } from "./answer.js";
export { BffClient, type Lane } from "./bff-client.js";
export { type FuzzOptions, type FuzzReport, runFuzz } from "./campaign.js";
export { Counts, type CountTable, type FindingGroup } from "./counts.js";
export { envelope, envelopeFlags } from "./envelopes.js";
export type { MemoryRow } from "./memory.js";
export { type Finding, type FindingClass, judge, type Reproducer } from "./oracle.js";
export { contentTypeOf, type Protocol, protocolHeadersOf, protocols } from "./protocols.js";
export { publicRpcs } from "./public-rpcs.js";
export { seedOf } from "./random.js";
export { type FuzzResults, resultsOf } from "./results.js";
export { findingText, outcomeColumns, summaryText, tableRows } from "./summary.js";
export { type FuzzTokens, freshFuzzUserIds, mintFuzzTokens } from "./tokens.js";
export { defaultTiming, type SendTiming, type WireRequest } from "./wire-request.js";
