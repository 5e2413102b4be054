/**
 * What an answer must never show: a stack frame, a dependency's folder, the checkout's path, a TypeScript
 * source position. The generator's own strings never match one, so a match is the stack talking about
 * itself — unless the request carried the same text, which is an echo.
 *
 * A frame is V8's `at name (…)` or `at file:line:col`. The looser `/\bat .+\(/` also matches plain
 * English the stack rightly says — "must be at most 1000 characters (has 1001)", JSON.parse's "at
 * position 7 (line 1 column 8)" — so the name must be one word right before the parenthesis; any frame
 * that names a file is caught by the path patterns as well.
 */
export const leakPatterns: readonly RegExp[] = [
  /\bat (?:async |new )*[^\s()]+ \(/,
  /\bat [^\s()]+:\d+:\d+/,
  /node_modules/,
  /\/work\//,
  /\.ts:\d+/,
];

/** The first leak in `text` that `request` does not itself contain, as the text that matched. */
export function leakIn(text: string, request: string): string | undefined {
  for (const pattern of leakPatterns) {
    const match = pattern.exec(text);
    if (match !== null && !request.includes(match[0])) return clip(text, match.index, match[0].length);
  }
  return undefined;
}

/** Whether a generated string could be mistaken for a leak; such strings are never sent. */
export function looksLikeLeak(text: string): boolean {
  return leakPatterns.some((pattern) => pattern.test(text));
}

function clip(text: string, at: number, length: number): string {
  const from = Math.max(0, at - 60);
  return text.slice(from, Math.min(text.length, at + length + 60));
}
