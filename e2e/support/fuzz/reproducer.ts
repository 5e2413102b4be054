import { type Answer, outcomeName, textOf } from "./answer.js";
import type { FuzzCase } from "./case-builder.js";
import type { Reproducer } from "./oracle.js";
import { type FuzzTokens, tokenKinds } from "./tokens.js";

/** Bytes of a request body kept whole in a reproducer; a larger one keeps its start and its generation. */
const reproducedBytes = 64 * 1024;

/** The request as text an answer may quote: header values and body (UTF-8 where it decodes, else Latin-1). */
export function requestTextOf(fuzzCase: FuzzCase): string {
  return `${Object.values(fuzzCase.request.headers).join("\n")}\n${textOf(fuzzCase.request.body, 4 * 1024 * 1024)}`;
}

/** What it takes to send the request again by hand, its tokens replaced by their kinds. */
export function reproducerOf(fuzzCase: FuzzCase, answer: Answer, tokens: FuzzTokens, seed: number): Reproducer {
  const { request } = fuzzCase;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    let shown = value.length > 200 ? `${value.slice(0, 60)}… (${value.length} characters)` : value;
    for (const kind of tokenKinds) {
      const token = kind === "anonymous" ? undefined : tokens.tokens[kind];
      if (token !== undefined)
        shown = shown.replaceAll(token, `<${kind} token>`).replaceAll(token.slice(0, -2), `<${kind} token minus 2>`);
    }
    headers[name] = shown;
  }
  const body = request.body;
  return {
    protocol: fuzzCase.protocol,
    rpc: fuzzCase.rpc.name,
    path: request.path,
    tokenKind: fuzzCase.tokenKind,
    input: fuzzCase.input,
    headers,
    bodyBase64: Buffer.from(body.subarray(0, reproducedBytes)).toString("base64"),
    bodyBytes: body.length,
    seed,
    caseIndex: fuzzCase.index,
    answer: {
      outcome: outcomeName(answer),
      httpStatus: answer.httpStatus,
      message: answer.message.length > 300 ? `${answer.message.slice(0, 300)}…` : answer.message,
      detail: answer.detail,
      durationMs: Math.round(answer.durationMs),
      errorBytes: answer.errorBytes,
    },
  };
}
