import { setTimeout as sleep } from "node:timers/promises";
import { Code, ConnectError } from "@connectrpc/connect";
import { trace } from "@opentelemetry/api";
import { createClient, currentCall, defineValidator, implement, remainingMs } from "../../src/index.js";
import { MeshTestService, ValidatedRequestSchema } from "../gen/marquee/meshtest/v1/mesh_test_pb.js";

/** Counts of handler runs, so tests can assert that a handler did (not) run. */
export interface Counters {
  charge: number;
  validated: number;
  echo: number;
  /** When set, Echo keeps each call's signal here, to see when the server aborts it. */
  signals?: AbortSignal[];
  /** When set, Echo keeps each call's request headers here, to see what a client sent. */
  headers?: ReadonlyMap<string, string>[];
}

export const validatedRules = defineValidator(ValidatedRequestSchema, (request, check) => {
  if (check.required("name", request.name)) check.maxLength("name", request.name, 10);
  check.range("count", request.count, 1, 5);
  check.unique("tags", request.tags);
});

/** The test service's handlers; `serviceToken` lets Forward call the next hop like a real service. */
export function meshTestService(counters: Counters, serviceToken?: () => Promise<string>) {
  return implement(
    MeshTestService,
    {
      async echo(request, call) {
        counters.echo++;
        counters.signals?.push(call.signal);
        counters.headers?.push(call.headers);
        if (request.delayMs > 0)
          await sleep(request.delayMs, undefined, { signal: call.signal }).catch(() => undefined);
        if (request.failCode !== 0)
          throw new ConnectError(`failing with ${request.failCode}`, request.failCode as Code);
        const remaining = remainingMs(call);
        return {
          message: request.message,
          subject: call.principal?.subject ?? "",
          remainingMs: BigInt(Number.isFinite(remaining) ? Math.round(remaining) : -1),
          idempotencyKey: call.idempotencyKey ?? "",
          traceId: trace.getActiveSpan()?.spanContext().traceId ?? "",
        };
      },
      async charge(request) {
        counters.charge++;
        if (request.failCode !== 0) throw new ConnectError("charge failed", request.failCode as Code);
        return { calls: counters.charge };
      },
      async organizerOnly(_request, call) {
        return { subject: call.principal?.subject ?? "" };
      },
      async adminOnly(_request, call) {
        return { subject: call.principal?.subject ?? "" };
      },
      async internalOnly(_request, call) {
        return { subject: call.principal?.subject ?? "" };
      },
      async forward(request) {
        const [next, ...rest] = request.addresses;
        if (next === undefined) throw new ConnectError("no address", Code.InvalidArgument);
        const client = createClient(MeshTestService, { address: next, ...(serviceToken ? { serviceToken } : {}) });
        try {
          if (rest.length === 0) return { lastHop: await client.echo({ message: "last" }) };
          return await client.forward({ addresses: rest });
        } finally {
          client.close();
        }
      },
      async validated() {
        counters.validated++;
        return { calls: counters.validated };
      },
      async *count(request, call) {
        for (let number = 1; number <= request.count; number++) {
          if (number > 1) await sleep(request.intervalMs);
          if (call.signal.aborted) return;
          yield { number, traceId: trace.getActiveSpan()?.spanContext().traceId ?? "" };
        }
        // The call context stays reachable while the stream is pulled.
        if (currentCall() !== call) throw new Error("call context lost inside the stream");
      },
    },
    [validatedRules],
  );
}
