import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";

let exporter: InMemorySpanExporter | undefined;

/**
 * Registers, once per test process, what the OpenTelemetry SDK registers in production — a tracer
 * provider, an async context manager and the W3C propagator — and returns the exporter holding finished
 * spans, emptied before each test of the calling `describe`.
 *
 * Once, and never undone: tracers are taken at module load (`trace.getTracer`), and a tracer keeps the
 * provider that was global when it was taken, so registering a second provider later would silently
 * send the kit's spans to the first one.
 */
export function useTracing(): InMemorySpanExporter {
  if (exporter === undefined) {
    exporter = new InMemorySpanExporter();
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }));
  }
  const shared = exporter;
  beforeEach(() => shared.reset());
  return shared;
}
