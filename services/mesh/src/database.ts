import type { Constructor, EntitySchema, LogContext, LoggerNamespace, Logger as OrmLogger } from "@mikro-orm/core";
import { type Migration, Migrator } from "@mikro-orm/migrations";
import { MikroORM } from "@mikro-orm/postgresql";
import { InboxEntry } from "./events/inbox.js";
import { OutboxEntry } from "./events/outbox.js";
import type { Logger } from "./logger.js";

/** A service's MikroORM over PostgreSQL, bound to the service's own schema. */
export type Database = MikroORM;

/** What `openDatabase` needs. */
export interface DatabaseOptions {
  /** `postgresql://user:password@host:port/database`, usually `DATABASE_URL`. */
  readonly url: string;
  /** The service's own schema, e.g. `inventory`; created when missing. Lower-case letters, digits, `_`. */
  readonly schema: string;
  /** The service's entities (`defineEntity`). The event bus's outbox and inbox are always added. */
  readonly entities: readonly EntitySchema[];
  /**
   * Every migration of the service, oldest first, as classes: `migrate` runs those not yet run, in this
   * order. Nothing is globbed from disk, so a bundled or compiled service carries its migrations along.
   */
  readonly migrations: readonly Constructor<Migration>[];
  /** Where the ORM logs (queries at `trace`, discovery at `debug`, migrations at `info`). */
  readonly logger: Logger;
  /**
   * Most connections the pool opens. Services share one PostgreSQL, each replica holds its own pool, and
   * PostgreSQL allows 100 connections by default, so pools stay small. At least 2.
   * @default 5
   */
  readonly poolMax?: number;
}

const schemaName = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Opens a MikroORM for PostgreSQL bound to one schema: entities map to tables in it, migrations run in
 * it and record themselves there, and raw SQL through `em.execute` resolves unqualified names in it
 * (then in `public`, where extensions such as `pg_trgm` live). Each Marquee service has its own schema in
 * one database. Connects eagerly, creates the schema when missing, and runs no migration: call
 * `migrateSchema(orm)` for that. Close it with `orm.close()`.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const { url, schema, logger, poolMax = 5 } = options;
  if (!schemaName.test(schema)) throw new Error(`schema "${schema}" must match ${schemaName}`);
  // migrate() holds one connection for its lock while the migrator checks its table on another.
  if (poolMax < 2) throw new Error(`poolMax must be at least 2, not ${poolMax}`);
  const entities = [...new Set<EntitySchema>([...options.entities, OutboxEntry, InboxEntry])];
  const orm = new MikroORM({
    clientUrl: url,
    schema,
    entities,
    extensions: [Migrator],
    migrations: {
      migrationsList: [...options.migrations],
      schema,
      tableName: "mikro_orm_migrations",
      // Snapshots are files written beside file-based migrations; ours live in code.
      snapshot: false,
    },
    pool: { min: 0, max: poolMax },
    // Unqualified names in raw SQL resolve in the service's schema first, as they do in its migrations.
    driverOptions: { options: `-c search_path=${schema},public` },
    loggerFactory: () => new PinoOrmLogger(logger.child({ component: "mikro-orm", schema })),
  });
  await orm.connect();
  // Concurrent "create schema if not exists" can still fail on the catalog's unique index, as replicas
  // starting together would; the lock makes them take turns.
  await orm.em.fork().transactional(async (em) => {
    await em.execute("select pg_advisory_xact_lock(hashtextextended(?, 0))", [`marquee.schema:${schema}`]);
    await em.execute(`create schema if not exists "${schema}"`);
  });
  return orm;
}

/**
 * Runs the migrations given to `openDatabase` that have not run in its schema yet, in their order,
 * all in one transaction, and returns their names. Safe to run from several replicas at once: the
 * migrations of one schema run one process at a time.
 */
export async function migrateSchema(orm: Database): Promise<string[]> {
  const schema = orm.config.get("schema");
  // One transaction holds an advisory lock per schema while the migrator checks what ran and runs the
  // rest, so two replicas starting together do not both run the same migration.
  return await orm.em.fork().transactional(async (em) => {
    await em.execute(`select pg_advisory_xact_lock(hashtextextended(?, 0))`, [`marquee.migrate:${schema}`]);
    const ran = await orm.migrator.up({ transaction: em.getTransactionContext() });
    return ran.map((migration) => migration.name);
  });
}

/**
 * What a service's `src/migrate.ts` does — `npm run migrate`, the launcher, the chart's job: opens the
 * schema, runs the pending migrations, logs what ran and closes.
 */
export async function runMigrations(options: DatabaseOptions): Promise<string[]> {
  const orm = await openDatabase(options);
  try {
    const ran = await migrateSchema(orm);
    options.logger.info({ schema: options.schema, ran }, ran.length > 0 ? "migrated" : "nothing to migrate");
    return ran;
  } finally {
    await orm.close();
  }
}

/** MikroORM's logger interface over pino: the ORM says what happened, pino's level decides what is kept. */
class PinoOrmLogger implements OrmLogger {
  constructor(private readonly logger: Logger) {}

  log(namespace: LoggerNamespace | string, message: string, context?: LogContext): void {
    if (context?.enabled === false) return;
    // The migrator marks its progress lines enabled; the rest (discovery, version) is debug chatter.
    const level = context?.level === "warning" ? "warn" : (context?.level ?? (context?.enabled ? "info" : "debug"));
    this.logger[level]({ namespace }, message.replace(/\s+/g, " ").trim());
  }

  error(namespace: LoggerNamespace | string, message: string, context?: LogContext): void {
    this.log(namespace, message, { ...context, level: "error" });
  }

  warn(namespace: LoggerNamespace | string, message: string, context?: LogContext): void {
    this.log(namespace, message, { ...context, level: "warning" });
  }

  logQuery(context: LogContext): void {
    const level = context.namespace === "slow-query" || context.level === "warning" ? "warn" : "trace";
    this.logger[level]({ took_ms: context.took, results: context.results, affected: context.affected }, context.query);
  }

  setDebugMode(): void {}

  isEnabled(namespace: LoggerNamespace, context?: LogContext): boolean {
    if (context?.enabled !== undefined) return context.enabled;
    return this.logger.isLevelEnabled(namespace === "query" || namespace === "query-params" ? "trace" : "debug");
  }
}
