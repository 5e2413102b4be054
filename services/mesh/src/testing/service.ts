import type { DescService } from "@bufbuild/protobuf";
import { type ClientOptions, createClient, type MeshClient } from "../client.js";
import { loadConfig } from "../config.js";
import { createLogger } from "../logger.js";
import { type AssembledService, assembleService } from "../service/assemble.js";
import {
  type ServiceConfig,
  type ServiceManifest,
  type Settings,
  settingsOf,
  type Upstreams,
  upstreamVariableOf,
  usesEventBus,
} from "../service/manifest.js";
import { testDatabase } from "./postgres.js";
import { testRedis } from "./redis.js";
import { startTestServer, type TestServer, testClient } from "./server.js";
import { testKeys } from "./tokens.js";

/** How a test's service differs from the manifest's production defaults. */
export interface TestServiceOptions<U extends Upstreams> {
  /** Values of the service's variables, as its environment would give them (`SWEEP_INTERVAL_MS: "50"`). */
  readonly settings?: Readonly<Record<string, string>>;
  /** `host:port` of each upstream the manifest declares. */
  readonly upstreams?: { readonly [K in keyof U]: string };
  /** Start the relay and the background tasks. @default false: a test drives them itself */
  readonly background?: boolean;
  /**
   * The port to serve on, e.g. one from `freePort()` an upstream of this service was already told, when
   * two services call each other. @default a free one the kernel picks
   */
  readonly port?: number;
}

/** A service a test started from its manifest: the production composition over test PostgreSQL and Redis. */
export interface TestService<S extends Settings, U extends Upstreams, D> extends AssembledService<S, U, D> {
  readonly server: TestServer;
  /** `127.0.0.1:<port>` */
  readonly address: string;
  /**
   * A client of one of its services. With `serviceName` it calls as that service (`svc:<serviceName>`, for
   * INTERNAL RPCs); without, anonymously unless a call passes `{ token }`.
   */
  client<T extends DescService>(
    service: T,
    options?: Partial<ClientOptions> & { serviceName?: string },
  ): Promise<MeshClient<T>>;
  /** Stops the server, the background tasks and everything the service opened. */
  close(): Promise<void>;
}

/**
 * Starts a service the way `serve` does — the same assembly from the same manifest — on a free port,
 * over a fresh schema of the test PostgreSQL (migrated), the test Redis and the test keys.
 */
export async function startService<S extends Settings, U extends Upstreams, D>(
  manifest: ServiceManifest<S, U, D>,
  options: TestServiceOptions<U> = {},
): Promise<TestService<S, U, D>> {
  const keys = await testKeys();
  const database = manifest.database ? await testDatabase(manifest.name) : undefined;
  const environment: Record<string, string | undefined> = {
    PORT: "0",
    // Errors only: an unexpected INTERNAL in a test leaves its cause in the output, the rest stays quiet.
    LOG_LEVEL: process.env.LOG_LEVEL ?? "error",
    AUTH_JWKS_URL: keys.jwksPath,
    AUTH_SIGNING_KEY_FILE: keys.signingKeyPath,
    DATABASE_URL: database?.url,
    REDIS_URL: usesEventBus(manifest) ? await testRedis() : undefined,
    ...Object.fromEntries(
      Object.entries(options.upstreams ?? {}).map(([name, address]) => [upstreamVariableOf(name), address as string]),
    ),
    ...options.settings,
  };
  const config = loadConfig(settingsOf(manifest), environment) as ServiceConfig<S>;
  const log = createLogger(`${manifest.name}-test`, config.LOG_LEVEL);
  const assembled = await assembleService(manifest, config, log, {
    ...(database ? { schema: database.schema } : {}),
    migrate: true,
    background: options.background ?? false,
  });
  let server: TestServer;
  try {
    server = await startTestServer(assembled.implementations, {
      log,
      verifier: assembled.verifier,
      readiness: assembled.readiness,
      ...(options.port !== undefined ? { port: options.port } : {}),
    });
  } catch (error) {
    for (const task of assembled.background) await task.stop();
    for (const close of assembled.closers) await close();
    throw error;
  }
  const clients: MeshClient<DescService>[] = [];
  return {
    ...assembled,
    server,
    address: server.address,
    async client(service, clientOptions = {}) {
      const client =
        clientOptions.serviceName === undefined
          ? createClient(service, { timeoutMs: 20_000, ...clientOptions, address: server.address })
          : await testClient(service, server.address, { timeoutMs: 20_000, ...clientOptions });
      clients.push(client as MeshClient<DescService>);
      return client;
    },
    async close() {
      for (const client of clients) client.close();
      await server.close();
      for (const task of assembled.background) await task.stop();
      for (const close of assembled.closers) await close();
    },
  };
}

/**
 * `startService` around the tests of the calling `describe`: started in `before`, closed in `after`. The
 * returned object reads the running service; touching it outside a test or hook throws.
 */
export function useService<S extends Settings, U extends Upstreams, D>(
  manifest: ServiceManifest<S, U, D>,
  options: TestServiceOptions<U> | (() => Promise<TestServiceOptions<U>>) = {},
): TestService<S, U, D> {
  return useStarted(manifest.name, async () =>
    startService(manifest, typeof options === "function" ? await options() : options),
  );
}

/**
 * Whatever `start` starts, around the tests of the calling `describe`: started in `before` (up to a
 * minute), closed in `after`. The returned object reads the started thing; touching it outside a test or
 * hook throws, naming `what`. Every service's own `use…` helper is this with its own start.
 */
export function useStarted<T extends { close(): Promise<void> }>(what: string, start: () => Promise<T>): T {
  let started: T | undefined;
  before(async function () {
    this.timeout(60_000);
    started = await start();
  });
  after(async () => {
    await started?.close();
    started = undefined;
  });
  return new Proxy({} as T, {
    get(_, property) {
      if (started === undefined) throw new Error(`${what} starts in before()`);
      return started[property as keyof T];
    },
  });
}
