/**
 * OpenTelemetry for a Marquee process. Preload it — `node --import tsx --import @marquee/mesh/telemetry
 * src/server.ts`, as the launcher does — so its loader hook is in place before the entry's module graph
 * loads: ES modules are all loaded before any of them runs, so a statically imported `ioredis` is beyond
 * the reach of instrumentation started by the entry's own first import (the trace test found no Redis
 * span that way). Entry points still import it first, so a process started without the preload keeps its
 * trace ids and its own spans.
 *
 * - The service is named by `OTEL_SERVICE_NAME` (set by the launcher and the chart).
 * - Spans are exported over OTLP only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set; otherwise they are still
 *   created, so trace ids reach logs and travel to other services.
 * - `MARQUEE_TRACE_FILE` appends every finished span as one JSON line, for end-to-end tests that check one
 *   trace crosses processes.
 * - gRPC spans come from the mesh's own server and client pipelines (one place, for CJS and ESM alike),
 *   so the grpc-js instrumentation is not enabled; PostgreSQL (pg), ioredis and fetch (undici) are.
 */
import { appendFileSync } from "node:fs";
import { register } from "node:module";
import type { ExportResult } from "@opentelemetry/core";
import { IORedisInstrumentation } from "@opentelemetry/instrumentation-ioredis";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import { NodeSDK } from "@opentelemetry/sdk-node";
import {
  NoopSpanProcessor,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace";
import { redisStatementOf, sanitizedQueryText } from "./query-text.js";
import { atShutdown } from "./shutdown.js";

// ESM modules are only instrumentable through the loader hook, registered before they are imported. It
// wraps only the packages instrumented below: wrapping every module costs each process tens of megabytes
// (the image helper measured 75 MiB) for nothing. fetch needs no hook (undici reports on diagnostics_channel).
register("@opentelemetry/instrumentation/hook.mjs", import.meta.url, {
  data: { include: ["pg", "pg-pool", "ioredis"] },
});

/** Writes spans as JSON lines: name, ids, parent, service, status, attributes. */
class JsonLinesSpanExporter implements SpanExporter {
  constructor(private readonly path: string) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const lines = spans.map((span) =>
      JSON.stringify({
        name: span.name,
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
        parentSpanId: span.parentSpanContext?.spanId,
        service: span.resource.attributes["service.name"],
        kind: span.kind,
        status: span.status.code,
        attributes: span.attributes,
      }),
    );
    if (lines.length > 0) appendFileSync(this.path, `${lines.join("\n")}\n`);
    done({ code: 0 });
  }

  async shutdown(): Promise<void> {}
}

const spanProcessors: SpanProcessor[] = [];
if (process.env.MARQUEE_TRACE_FILE) {
  spanProcessors.push(new SimpleSpanProcessor({ exporter: new JsonLinesSpanExporter(process.env.MARQUEE_TRACE_FILE) }));
}
// NodeSDK registers a tracer provider only when it has a span processor; without one no span is created,
// and logs and downstream services would see no trace id at all.
if (spanProcessors.length === 0) spanProcessors.push(new NoopSpanProcessor());

const sdk = new NodeSDK({
  serviceName: process.env.OTEL_SERVICE_NAME ?? "marquee",
  // fetch (undici) too: payment's calls to the PSP, identity's to an OpenID provider — a CLIENT span each,
  // and the traceparent header, so the PSP's side (the simulator) continues the trace.
  // Statements without their values: no buyer's e-mail or name in a trace (see query-text.ts).
  instrumentations: [
    new PgInstrumentation({
      requestHook: (span, { query }) => span.setAttribute("db.query.text", sanitizedQueryText(query.text)),
    }),
    new IORedisInstrumentation({ dbStatementSerializer: redisStatementOf }),
    new UndiciInstrumentation(),
  ],
  // Without an endpoint, NodeSDK would still export to localhost:4318 and log every failure.
  ...(process.env.OTEL_EXPORTER_OTLP_ENDPOINT ? {} : { spanProcessors }),
});
sdk.start();
// Spans of the last calls reach the exporter before the process exits.
atShutdown(() => sdk.shutdown());
