import { type NodeRequest, type NodeResponse, respond } from "./node-http.js";
import type { Upstream } from "./upstreams.js";

/** Timings of the readiness check. */
export interface ProbeOptions {
  /** Each upstream must answer its health check within this time. @default 1000 */
  readonly upstreamTimeoutMs?: number;
  /** A readiness answer is reused for this long, so probes cannot flood the upstreams. @default 1000 */
  readonly cacheMs?: number;
}

/** The HTTP probes of the BFF, answered before any RPC routing. */
export interface Probes {
  /** Answers `GET /healthz` and `GET /readyz`; false for any other request. */
  handle(request: NodeRequest, response: NodeResponse): boolean;
  /** From now on `/readyz` answers 503, so load balancers stop sending calls before the drain. */
  markShuttingDown(): void;
}

interface Readiness {
  readonly isReady: boolean;
  /** The upstreams that did not answer SERVING in time, with why. */
  readonly failing: Readonly<Record<string, string>>;
}

/**
 * `/healthz` answers 200 while the process runs (liveness: restart me if not). `/readyz` answers 200
 * when every upstream the BFF forwards to answers `grpc.health.v1` SERVING for its service within a
 * second, 503 otherwise and once shutdown has begun (readiness: send me traffic). Both are JSON.
 */
export function createProbes(upstreams: readonly Upstream[], options: ProbeOptions = {}): Probes {
  const upstreamTimeoutMs = options.upstreamTimeoutMs ?? 1000;
  const cacheMs = options.cacheMs ?? 1000;
  let isShuttingDown = false;
  let last: { readonly atMs: number; readonly readiness: Promise<Readiness> } | undefined;

  const check = async (): Promise<Readiness> => {
    const results = await Promise.allSettled(upstreams.map((upstream) => upstream.checkReady(upstreamTimeoutMs)));
    const failing: Record<string, string> = {};
    results.forEach((result, index) => {
      if (result.status === "rejected") {
        failing[(upstreams[index] as Upstream).service.typeName] = (result.reason as Error).message;
      }
    });
    return { isReady: Object.keys(failing).length === 0, failing };
  };

  const readiness = (): Promise<Readiness> => {
    const now = Date.now();
    if (last === undefined || now - last.atMs >= cacheMs) last = { atMs: now, readiness: check() };
    return last.readiness;
  };

  return {
    handle(request, response) {
      const path = request.url?.split("?", 1)[0];
      if (path !== "/healthz" && path !== "/readyz") return false;
      if (request.method !== "GET" && request.method !== "HEAD") {
        reply(response, 405, { status: "method not allowed" });
        return true;
      }
      if (path === "/healthz") {
        reply(response, 200, { status: "alive" });
        return true;
      }
      if (isShuttingDown) {
        reply(response, 503, { status: "shutting down" });
        return true;
      }
      readiness().then(
        ({ isReady, failing }) =>
          isShuttingDown
            ? reply(response, 503, { status: "shutting down" })
            : reply(response, isReady ? 200 : 503, isReady ? { status: "ready" } : { status: "not ready", failing }),
        (error: unknown) => reply(response, 503, { status: "not ready", error: String(error) }),
      );
      return true;
    },
    markShuttingDown() {
      isShuttingDown = true;
    },
  };
}

function reply(response: NodeResponse, status: number, body: object): void {
  respond(response, status, { "content-type": "application/json", "cache-control": "no-store" }, JSON.stringify(body));
}
