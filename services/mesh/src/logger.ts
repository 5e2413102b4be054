import { trace } from "@opentelemetry/api";
import { type Logger, pino } from "pino";

export type { Logger };

/**
 * The process's JSON logger (pino). Every line carries the active span's `trace_id` and `span_id`, so a
 * log line leads to its trace. Secrets are redacted by key wherever they appear.
 */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: ["authorization", "token", "password", "*.authorization", "*.token", "*.password", "*.secret"],
      censor: "[redacted]",
    },
    mixin() {
      const span = trace.getActiveSpan()?.spanContext();
      return span ? { trace_id: span.traceId, span_id: span.spanId } : {};
    },
  });
}
