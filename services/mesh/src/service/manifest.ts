import type { DescService } from "@bufbuild/protobuf";
import type { Constructor, EntitySchema } from "@mikro-orm/core";
import type { Migration } from "@mikro-orm/migrations";
import type { Redis } from "ioredis";
import type { MeshClient } from "../client.js";
import { address, integer, oneOf, port, type Setting, string, url, type Values } from "../config.js";
import type { Database } from "../database.js";
import type { ReadinessProbe } from "../health.js";
import type { Logger } from "../logger.js";
import type { BackgroundTask } from "../run-service.js";
import type { AnyRpc } from "./rpc.js";

/** The services a service calls, by name: `{ catalog: CatalogInternalService }` → `CATALOG_ADDR`. */
export type Upstreams = Readonly<Record<string, DescService>>;

/** A service's own variables, beside the standard ones the mesh declares (see `settingsOf`). */
export type Settings = Readonly<Record<string, Setting<unknown>>>;

/** What a service's tables are: its schema, entities and migrations. */
export interface DatabaseDeclaration {
  /** The service's own schema, e.g. `inventory`. */
  readonly schema: string;
  readonly entities: readonly EntitySchema[];
  /** Oldest first; `migrate(manifest)` runs those not yet run. */
  readonly migrations: readonly Constructor<Migration>[];
}

/** The standard variables of a service with this manifest's parts (see `settingsOf`). */
type StandardSettings = {
  PORT: Setting<number>;
  METRICS_PORT: Setting<number>;
  LOG_LEVEL: Setting<string>;
  OTEL_SERVICE_NAME: Setting<string>;
  AUTH_JWKS_URL: Setting<string>;
  AUTH_SIGNING_KEY_FILE: Setting<string>;
  IDENTITY_ADDR: Setting<string>;
  REVOCATION_POLL_INTERVAL_MS: Setting<number>;
  DATABASE_URL: Setting<string>;
  REDIS_URL: Setting<string>;
};

/** The configuration a service's composition reads: the standard variables and its own. */
export type ServiceConfig<S extends Settings> = Values<StandardSettings> &
  Values<S> &
  Readonly<Record<string, unknown>>;

/** What the mesh builds before the service composes itself, from the manifest and the configuration. */
export interface ServiceParts<S extends Settings, U extends Upstreams> {
  readonly config: ServiceConfig<S>;
  readonly log: Logger;
  /** The service's schema, migrated (when the manifest declares a database). */
  readonly orm: Database;
  /** `REDIS_URL`: the event bus (when the manifest declares `events` or `redis`). */
  readonly redis: Redis;
  /** A mesh client per upstream (retry, breaker, deadline), calling with this service's token. */
  readonly upstreams: { readonly [K in keyof U]: MeshClient<U[K]> };
  /** This replica's name: `<host>-<pid>`, for consumer groups and logs. */
  readonly replica: string;
}

/** What a composition hands back: what the RPCs are built from, and the rest of the process's life. */
export interface Composition<D> {
  /** Given to every RPC entry's handler factory. */
  readonly deps: D;
  /** Checks beyond the mesh's own (database, event bus) that must pass for the process to be SERVING. */
  readonly readiness?: readonly ReadinessProbe[];
  /**
   * What runs beside the server (consumers, sweepers), each as the function that starts it: called once
   * the server is composed (never in a test that drives the work itself), stopped after it drained.
   */
  readonly background?: ReadonlyArray<() => BackgroundTask>;
  /** Closed last, in order, before the mesh closes the database, the bus and the upstream clients. */
  readonly close?: ReadonlyArray<() => Promise<void> | void>;
}

/** One service, declared once: everything that serves, migrates, tests, launches or deploys it reads this. */
export interface ServiceManifest<S extends Settings = Settings, U extends Upstreams = Upstreams, D = unknown> {
  /** Folder under `services/`, npm `@marquee/<name>`, `OTEL_SERVICE_NAME`, chart key. */
  readonly name: string;
  /** The gRPC port and the Prometheus port in the local stack (the defaults of `PORT` and `METRICS_PORT`). */
  readonly ports: { readonly grpc: number; readonly metrics: number };
  /** The services it calls; each becomes `<NAME>_ADDR` and a client in `parts.upstreams`. */
  readonly upstreams: U;
  /** Its own variables (name → setting), beside the standard ones. */
  readonly settings: S;
  /** Its tables, when it has any. */
  readonly database?: DatabaseDeclaration;
  /** The events it writes to its outbox: the mesh runs the relay to the stream `marquee.events.<source>`. */
  readonly events?: { readonly source: string };
  /** Whether it uses the event bus (`REDIS_URL`) without writing events (consumers only). */
  readonly redis?: boolean;
  /** The services it serves; each of their methods needs an entry in `rpcs`. */
  readonly services: readonly DescService[];
  /** One entry per RPC of `services` (`Object.values(rpcs)` of the service's `rpc/index.ts`). */
  readonly rpcs: readonly AnyRpc<D>[];
  /** Builds the service's object graph from the parts the mesh built. */
  compose(parts: ServiceParts<S, U>): Composition<D> | Promise<Composition<D>>;
}

/** What a manifest declares apart from its code: what the launcher, the chart and the settings read. */
export type ServiceDeclaration = Pick<
  ServiceManifest<Settings, Upstreams, unknown>,
  "name" | "ports" | "upstreams" | "settings" | "database" | "events" | "redis" | "services"
>;

/**
 * Declares a service. Pure: nothing runs until `serve`, `migrate` or `useService` is given the manifest,
 * so the launcher, the benchmarks and the chart can import every manifest for its ports and upstreams.
 */
export function defineService<S extends Settings, U extends Upstreams, D>(
  manifest: ServiceManifest<S, U, D>,
): ServiceManifest<S, U, D> {
  return manifest;
}

/** Whether the service talks to Redis's event bus at all. */
export function usesEventBus(manifest: ServiceDeclaration): boolean {
  return manifest.events !== undefined || manifest.redis === true;
}

/** `catalog` → `CATALOG_ADDR`. */
export function upstreamVariableOf(upstream: string): string {
  return `${upstream.toUpperCase().replaceAll("-", "_")}_ADDR`;
}

const logLevels = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/** The variables `migrate(manifest)` reads. */
export function migrationSettingsOf(manifest: ServiceDeclaration) {
  return {
    DATABASE_URL: url(
      `PostgreSQL connection string; the ${manifest.name} keeps its tables in the schema \`${manifest.database?.schema}\``,
      undefined,
      ["postgres", "postgresql"],
    ),
    LOG_LEVEL: oneOf("log level", logLevels, "info"),
  };
}

/**
 * Every variable of a service process: the standard ones its manifest implies (ports from the manifest,
 * the database and the bus when it has them, the signing key — required when it calls upstreams —,
 * identity's address for the revoked-subjects poll, `<NAME>_ADDR` per upstream), then its own. The
 * README's table and the chart's values are these names.
 */
export function settingsOf(manifest: ServiceDeclaration): Settings {
  const upstreamNames = Object.keys(manifest.upstreams);
  return {
    PORT: port(`gRPC port of ${manifest.services.map((s) => s.name).join(" and ")}`, manifest.ports.grpc),
    METRICS_PORT: port("port of the Prometheus /metrics endpoint", manifest.ports.metrics),
    LOG_LEVEL: oneOf("log level", logLevels, "info"),
    OTEL_SERVICE_NAME: string("service name in traces and logs", manifest.name),
    AUTH_JWKS_URL: string("JWKS that verifies bearer tokens: an https URL, or a file path in development"),
    // Required when the service calls upstreams; without upstreams only IDENTITY_ADDR needs it.
    AUTH_SIGNING_KEY_FILE: string(
      `ES256 private JWK this service signs its service tokens with (sub svc:${manifest.name}), for its upstreams and the revoked-subjects poll${upstreamNames.length > 0 ? "" : "; needed with IDENTITY_ADDR"}`,
      upstreamNames.length > 0 ? undefined : "",
    ),
    IDENTITY_ADDR: address(
      "host:port of identity, whose revoked-subjects list is polled so a disabled user's tokens are refused within seconds; unset: tokens are refused only at their expiry",
      "",
    ),
    REVOCATION_POLL_INTERVAL_MS: integer(
      "pause between two polls of identity's revoked-subjects list (with IDENTITY_ADDR): how soon a disabled user is refused",
      2000,
      { min: 100, max: 60_000 },
    ),
    ...(manifest.database ? migrationSettingsOf(manifest) : {}),
    ...(usesEventBus(manifest)
      ? { REDIS_URL: url("Redis of the event bus (outbox relay, consumers)", undefined, ["redis", "rediss"]) }
      : {}),
    ...Object.fromEntries(
      Object.entries(manifest.upstreams).map(([name, service]) => [
        upstreamVariableOf(name),
        address(`host:port of the ${name} (${service.name})`),
      ]),
    ),
    ...manifest.settings,
  };
}
