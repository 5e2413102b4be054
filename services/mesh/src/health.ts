import { setTimeout as sleep } from "node:timers/promises";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  Health,
  type HealthCheckResponseSchema,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "@marquee/proto/health/v1/health_pb.js";
import type { ServiceHandlers } from "./handlers.js";

type StatusInit = MessageInitShape<typeof HealthCheckResponseSchema>;

export { ServingStatus };

/** A dependency the process needs to serve (PostgreSQL, Redis…): resolves when reachable, throws when not. */
export type ReadinessProbe = () => Promise<void>;

/**
 * Real readiness for `grpc.health.v1`: the overall status ("" service) is SERVING only while every probe
 * passes and the process is not shutting down; each served service reports the same. Probes are run at
 * most once per `cacheMs`, so Kubernetes probes cannot overload a dependency.
 */
export class HealthState {
  private isShuttingDown = false;
  private lastCheck: { atMs: number; status: ServingStatus } | undefined;

  constructor(
    private readonly serviceNames: readonly string[],
    private readonly probes: readonly ReadinessProbe[],
    private readonly cacheMs = 1000,
    private readonly probeTimeoutMs = 2000,
  ) {}

  /** From now on every check answers NOT_SERVING, so load balancers stop sending calls before the drain. */
  markShuttingDown(): void {
    this.isShuttingDown = true;
  }

  /** The status of `service` ("" for the whole process); NOT_FOUND for a service not served here. */
  async status(service: string): Promise<ServingStatus> {
    if (service !== "" && !this.serviceNames.includes(service)) {
      throw new ConnectError(`unknown service ${service}`, Code.NotFound);
    }
    if (this.isShuttingDown) return ServingStatus.NOT_SERVING;
    const now = Date.now();
    if (this.lastCheck === undefined || now - this.lastCheck.atMs >= this.cacheMs) {
      this.lastCheck = { atMs: now, status: await this.runProbes() };
    }
    return this.lastCheck.status;
  }

  private async runProbes(): Promise<ServingStatus> {
    try {
      await Promise.all(
        this.probes.map((probe) =>
          Promise.race([probe(), sleep(this.probeTimeoutMs).then(() => Promise.reject(new Error("probe timed out")))]),
        ),
      );
      return ServingStatus.SERVING;
    } catch {
      return ServingStatus.NOT_SERVING;
    }
  }

  /** The `grpc.health.v1.Health` handlers over this state. */
  handlers(): ServiceHandlers<typeof Health> {
    const state = this;
    return {
      async check(request) {
        return { status: await state.status(request.service) };
      },
      async *watch(request, call): AsyncIterable<StatusInit> {
        let last: ServingStatus | undefined;
        while (!call.signal.aborted) {
          let status: ServingStatus;
          try {
            status = await state.status(request.service);
          } catch {
            // Watch reports an unknown service as SERVICE_UNKNOWN rather than ending (health.proto).
            status = ServingStatus.SERVICE_UNKNOWN;
          }
          if (status !== last) yield { status };
          last = status;
          await sleep(state.cacheMs, undefined, { signal: call.signal }).catch(() => undefined);
        }
      },
      async list() {
        const statuses: Record<string, StatusInit> = {};
        for (const name of ["", ...state.serviceNames]) statuses[name] = { status: await state.status(name) };
        return { statuses };
      },
    };
  }
}

export { Health };
