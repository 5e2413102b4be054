import type { IncomingMessage } from "node:http";
import { context, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";

const tracer = trace.getTracer("@marquee/mesh");

/**
 * Serves one plain HTTP request (a webhook endpoint, the PSP simulator's API) inside a SERVER span that
 * continues the caller's `traceparent`, as OpenTelemetry's HTTP conventions name it — `POST
 * /webhooks/gateway`, the route's template, never its ids — with the response's status. `serve` answers
 * the status it sent; a 5xx marks the span as failed.
 */
export async function inHttpServerSpan(
  request: IncomingMessage,
  route: string,
  serve: () => Promise<number>,
): Promise<number> {
  const method = request.method ?? "GET";
  const parent = propagation.extract(context.active(), request.headers);
  return tracer.startActiveSpan(
    `${method} ${route}`,
    { kind: SpanKind.SERVER, attributes: { "http.request.method": method, "http.route": route } },
    parent,
    async (span) => {
      try {
        const status = await serve();
        span.setAttribute("http.response.status_code", status);
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        return status;
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
