import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";

/** One finished span, as `MARQUEE_TRACE_FILE` holds it (see `@marquee/mesh/telemetry`). */
export interface SpanLine {
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  /** `OTEL_SERVICE_NAME` of the process that ended the span. */
  readonly service: string;
  /** OpenTelemetry's SpanKind: 1 SERVER, 2 CLIENT. */
  readonly kind: number;
}

/** The spans of one trace written to the file so far, by every process. */
export function spansOf(traceFile: string, traceId: string): SpanLine[] {
  if (!existsSync(traceFile)) return [];
  return readFileSync(traceFile, "utf8")
    .split("\n")
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as SpanLine];
      } catch {
        return []; // the empty last line, or one another process is still appending
      }
    })
    .filter((span) => span.traceId === traceId);
}

/** A fresh W3C `traceparent` (sampled) as a caller outside Marquee would send it, with its parts. */
export function newTraceparent(): { readonly header: string; readonly traceId: string; readonly spanId: string } {
  const traceId = randomBytes(16).toString("hex");
  const spanId = randomBytes(8).toString("hex");
  return { header: `00-${traceId}-${spanId}-01`, traceId, spanId };
}
