import { hostname } from "node:os";
import type { DescService } from "@bufbuild/protobuf";
import { Redis } from "ioredis";
import { refusingRevoked, watchIdentityRevocations } from "../auth/revoked-subjects.js";
import { createServiceTokenMinter, type ServiceTokenMinter } from "../auth/service-token.js";
import { readSigningKey } from "../auth/signing-key.js";
import { createTokenVerifier, type TokenVerifier } from "../auth/verify-token.js";
import { createClient, type MeshClient } from "../client.js";
import { type Database, migrateSchema, openDatabase } from "../database.js";
import { startRelay } from "../events/relay.js";
import type { ReadinessProbe } from "../health.js";
import type { Logger } from "../logger.js";
import { trackDatabasePool, trackRedis } from "../resource-metrics.js";
import type { BackgroundTask } from "../run-service.js";
import type { ServiceImplementation } from "../server.js";
import {
  type ServiceConfig,
  type ServiceManifest,
  type ServiceParts,
  type Settings,
  type Upstreams,
  upstreamVariableOf,
  usesEventBus,
} from "./manifest.js";
import { rpcTableOf } from "./rpc-table.js";

/** How the process differs from production; only tests set these. */
export interface AssemblyOptions {
  /** The schema to use instead of the manifest's (a test's fresh one). */
  readonly schema?: string;
  /** Run the pending migrations first (a test's fresh schema); production runs `migrate` as its own step. */
  readonly migrate?: boolean;
  /** Start the relay and the composition's background tasks. @default true */
  readonly background?: boolean;
}

/** A service composed and ready to serve: what `serve` runs and `useService` starts in a test. */
export interface AssembledService<S extends Settings, U extends Upstreams, D> {
  readonly parts: ServiceParts<S, U>;
  readonly deps: D;
  readonly implementations: readonly ServiceImplementation[];
  /**
   * What the server checks bearer tokens with: the JWKS at `AUTH_JWKS_URL`, and with `IDENTITY_ADDR` the
   * revoked-subjects list too (a disabled user's tokens refused within a poll interval).
   */
  readonly verifier: TokenVerifier;
  /** The mesh's probes (database, event bus) and the composition's. */
  readonly readiness: readonly ReadinessProbe[];
  /**
   * The revoked-subjects watcher when `IDENTITY_ADDR` is set — part of authentication, so it runs even
   * without `background` — then the relay, when the service writes events, and the composition's tasks.
   */
  readonly background: readonly BackgroundTask[];
  /** The composition's closers, then the upstream clients, the bus and the database: run in order. */
  readonly closers: ReadonlyArray<() => Promise<void>>;
}

/**
 * Builds a service from its manifest, the one way production and tests do: checks the RPC table (before
 * connecting to anything), opens the database and the bus the manifest declares, signs upstream calls with
 * the service's token, polls identity's revoked-subjects list when `IDENTITY_ADDR` is set, lets the manifest
 * compose its object graph, and builds each RPC's handler from it.
 */
export async function assembleService<S extends Settings, U extends Upstreams, D>(
  manifest: ServiceManifest<S, U, D>,
  config: ServiceConfig<S>,
  log: Logger,
  options: AssemblyOptions = {},
): Promise<AssembledService<S, U, D>> {
  const table = rpcTableOf(manifest.name, manifest.services, manifest.rpcs);
  const closers: Array<() => Promise<void>> = [];
  const readiness: ReadinessProbe[] = [];
  const background: BackgroundTask[] = [];
  const runsBackground = options.background ?? true;
  try {
    let orm: Database | undefined;
    if (manifest.database) {
      const { entities, migrations } = manifest.database;
      const schema = options.schema ?? manifest.database.schema;
      const opened = await openDatabase({ url: config.DATABASE_URL, schema, entities, migrations, logger: log });
      orm = opened;
      await trackDatabasePool(opened);
      closers.unshift(() => opened.close());
      if (options.migrate) await migrateSchema(opened);
      readiness.push(async () => {
        await opened.em.fork().execute("select 1");
      });
    }
    let redis: Redis | undefined;
    if (usesEventBus(manifest)) {
      // Connects in the background and reconnects forever; calls fail fast while it is down (UNAVAILABLE),
      // the relay and consumers retry, and readiness reports the outage.
      const bus = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
      bus.on("error", (error: Error) => log.warn({ err: error }, "redis (event bus) connection failed"));
      redis = bus;
      trackRedis("event-bus", bus);
      closers.unshift(async () => bus.disconnect());
      readiness.push(async () => {
        await bus.ping();
      });
    }
    const minter = await serviceTokenMinterOf(manifest, config);
    const upstreams = upstreamClientsOf(manifest, config, minter);
    for (const client of Object.values(upstreams)) closers.unshift(async () => client.close());
    let verifier = createTokenVerifier({ jwksUrl: config.AUTH_JWKS_URL });
    if (config.IDENTITY_ADDR !== "" && minter !== undefined) {
      const watcher = await watchIdentityRevocations({
        identityAddress: config.IDENTITY_ADDR,
        serviceToken: () => minter.token(),
        intervalMs: config.REVOCATION_POLL_INTERVAL_MS,
        log,
      });
      background.push(watcher);
      verifier = refusingRevoked(verifier, watcher);
    }

    const parts: ServiceParts<S, U> = {
      config,
      log,
      orm: orm ?? missing(manifest.name, "orm", "a database"),
      redis: redis ?? missing(manifest.name, "redis", "events or redis"),
      upstreams,
      replica: `${hostname()}-${process.pid}`,
    };
    if (manifest.events && runsBackground) {
      background.push(startRelay({ orm: parts.orm, redis: parts.redis, source: manifest.events.source, logger: log }));
    }
    const composition = await manifest.compose(parts);
    for (const close of [...(composition.close ?? [])].reverse()) closers.unshift(async () => close());
    readiness.push(...(composition.readiness ?? []));
    if (runsBackground) for (const start of composition.background ?? []) background.push(start());
    return {
      parts,
      deps: composition.deps,
      implementations: table(composition.deps),
      verifier,
      readiness,
      background,
      closers,
    };
  } catch (error) {
    for (const task of background) await task.stop().catch(() => undefined);
    for (const close of closers) await close().catch(() => undefined);
    throw error;
  }
}

/**
 * The minter of the service's own token (`svc:<name>`), signing with `AUTH_SIGNING_KEY_FILE`, when anything
 * needs one: upstream calls, or the revoked-subjects poll (`IDENTITY_ADDR`). Throws naming both variables
 * when identity's address is set without a key.
 */
async function serviceTokenMinterOf<S extends Settings>(
  manifest: ServiceManifest<S, Upstreams, unknown>,
  config: ServiceConfig<S>,
): Promise<ServiceTokenMinter | undefined> {
  const needsToken = Object.keys(manifest.upstreams).length > 0 || config.IDENTITY_ADDR !== "";
  if (!needsToken) return undefined;
  if (config.AUTH_SIGNING_KEY_FILE === "") {
    throw new Error(
      `${manifest.name}: IDENTITY_ADDR is set but AUTH_SIGNING_KEY_FILE is not: the revoked-subjects poll calls identity with the service's token`,
    );
  }
  return createServiceTokenMinter({
    service: manifest.name,
    signingKey: await readSigningKey(config.AUTH_SIGNING_KEY_FILE),
  });
}

/** A mesh client per upstream at its `<NAME>_ADDR`, calling with the service's own token. */
function upstreamClientsOf<S extends Settings, U extends Upstreams>(
  manifest: ServiceManifest<S, U, unknown>,
  config: ServiceConfig<S>,
  minter: ServiceTokenMinter | undefined,
): ServiceParts<S, U>["upstreams"] {
  const entries = Object.entries(manifest.upstreams) as [string, DescService][];
  const clients: Record<string, MeshClient<DescService>> = {};
  for (const [name, service] of entries) {
    clients[name] = createClient(service, {
      address: String(config[upstreamVariableOf(name)]),
      upstream: name,
      ...(minter ? { serviceToken: () => minter.token() } : {}),
    });
  }
  return clients as ServiceParts<S, U>["upstreams"];
}

/**
 * A part the manifest did not declare: any use throws, naming what to declare, instead of a vague
 * "cannot read properties of undefined" deep in a handler.
 */
function missing<T extends object>(service: string, part: string, declaration: string): T {
  return new Proxy({} as T, {
    get(_, property) {
      if (property === "then") return undefined;
      throw new Error(`${service} uses parts.${part}.${String(property)} but its manifest declares no ${declaration}`);
    },
  });
}
