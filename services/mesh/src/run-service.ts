import type { Server as HttpServer } from "node:http";
import { createTokenVerifier, type TokenVerifier } from "./auth/verify-token.js";
import type { ReadinessProbe } from "./health.js";
import type { Logger } from "./logger.js";
import { startMetricsServer } from "./metrics.js";
import { type MeshServer, type ServiceImplementation, startServer } from "./server.js";
import { stopGracefullyOnSignals } from "./shutdown.js";

/** Something a process runs beside its server (a relay, a consumer, a sweeper) and stops on shutdown. */
export interface BackgroundTask {
  stop(): Promise<void>;
}

export interface ServiceProcessOptions {
  readonly log: Logger;
  readonly port: number;
  readonly metricsPort: number;
  /** `AUTH_JWKS_URL`: an https URL, or a file path in development. */
  readonly jwksUrl: string;
  /**
   * What checks bearer tokens, when more than the JWKS does (`assembleService`'s, which refuses revoked
   * subjects with `IDENTITY_ADDR`). @default createTokenVerifier({ jwksUrl })
   */
  readonly verifier?: TokenVerifier;
  readonly services: readonly ServiceImplementation[];
  readonly readiness?: readonly ReadinessProbe[];
  /** Stopped after the server has drained, in order. */
  readonly background?: readonly BackgroundTask[];
  /** Closed last, in order: pools, clients, telemetry. */
  readonly close?: ReadonlyArray<() => Promise<void>>;
  /** How long in-flight calls may take to finish. Keep the chart's grace period longer. @default 10000 */
  readonly drainMs?: number;
}

/** A running service process. */
export interface ServiceProcess {
  readonly server: MeshServer;
  readonly metrics: HttpServer;
  /** The graceful stop SIGTERM and SIGINT trigger; resolves when everything is closed. */
  stop(): Promise<void>;
}

/**
 * What `serve(manifest)` does for every service after loading its config: serve `/metrics`, start the gRPC
 * server, and on SIGTERM or SIGINT stop in the order that loses nothing — report NOT_SERVING, refuse new
 * calls and drain in-flight ones within `drainMs`, stop background tasks, close pools, flush telemetry —
 * then exit 0 (`stopGracefullyOnSignals`).
 */
export async function runService(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const { log } = options;
  const metrics = await startMetricsServer(options.metricsPort);
  const server = await startServer(
    {
      services: options.services,
      verifier: options.verifier ?? createTokenVerifier({ jwksUrl: options.jwksUrl }),
      log,
      ...(options.readiness ? { readiness: options.readiness } : {}),
    },
    options.port,
  );
  const drainMs = options.drainMs ?? 10_000;
  const stop = stopGracefullyOnSignals(log, async () => {
    log.info({ drainMs }, "shutting down");
    await server.shutdown(drainMs);
    for (const task of options.background ?? []) await task.stop();
    await new Promise<void>((resolve) => metrics.close(() => resolve()));
    for (const close of options.close ?? []) await close();
  });
  return { server, metrics, stop };
}
