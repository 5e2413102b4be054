import { randomBytes } from "node:crypto";
import { create, fromBinary } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { type Envelope, EnvelopeSchema } from "@marquee/proto/marquee/events/v1/envelope_pb.js";
import { EventPublishedSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import { Migration } from "@mikro-orm/migrations";
import type { EntityManager } from "@mikro-orm/postgresql";
import { Redis } from "ioredis";
import { type Database, migrateSchema, openDatabase } from "../../src/database.js";
import { EventBusMigration } from "../../src/events/migration.js";
import { writeEvent } from "../../src/events/write-event.js";
import { createLogger } from "../../src/logger.js";
import { testDatabase } from "../../src/testing/postgres.js";
import { testRedis } from "../../src/testing/redis.js";

/** A table the test handlers change, so a test can count how often an event took effect. */
class CreateApplied extends Migration {
  override name = "test_applied_1";
  override up(): void {
    this.addSql(`create table "applied" ("subject" text primary key, "count" int not null);`);
  }
}

export const logger = createLogger("mesh-test", process.env.LOG_LEVEL ?? "silent");

/** Opens, with the event bus migrated, a database in a fresh schema; closes what it opened after each test. */
export function useFixture() {
  const databases: Database[] = [];
  const connections: Redis[] = [];
  const stoppers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stoppers.splice(0).reverse()) await stop();
    await Promise.all(databases.splice(0).map((orm) => orm.close()));
    for (const redis of connections.splice(0)) redis.disconnect();
  });
  return {
    async database(prefix: string, schema?: string): Promise<Database> {
      const target = await testDatabase(prefix);
      const orm = await openDatabase({
        url: target.url,
        schema: schema ?? target.schema,
        entities: [],
        migrations: [EventBusMigration, CreateApplied],
        logger,
      });
      databases.push(orm);
      await migrateSchema(orm);
      return orm;
    },
    async redis(): Promise<Redis> {
      const redis = new Redis(await testRedis());
      connections.push(redis);
      return redis;
    },
    /** Stops `thing` after the test, unless the test stopped it already. */
    cleanup<T extends { stop(): Promise<void> }>(thing: T): T {
      let isStopped = false;
      const stop = thing.stop.bind(thing);
      thing.stop = async () => {
        if (isStopped) return;
        isStopped = true;
        await stop();
      };
      stoppers.push(() => thing.stop());
      return thing;
    },
  };
}

/** A source name of its own, so the test's stream is its own too. */
export function uniqueSource(): string {
  return `test-${randomBytes(4).toString("hex")}`;
}

/** Writes an EventPublished about `subject` (with `version`, which tests use to check order) in a transaction of its own. */
export async function publishEvent(orm: Database, source: string, subject: string, version = 1) {
  return await orm.em.fork().transactional((em) =>
    writeEvent(em, {
      source,
      subject,
      schema: EventPublishedSchema,
      payload: create(EventPublishedSchema, { version: BigInt(version) }),
    }),
  );
}

/** The test handlers' effect: counts one application for the event's subject. */
export async function apply(em: EntityManager, subject: string): Promise<void> {
  await em.execute(
    `insert into applied (subject, count) values (?, 1) on conflict (subject) do update set count = applied.count + 1`,
    [subject],
  );
}

/** How often the effect for `subject` was applied. */
export async function appliedCount(orm: Database, subject: string): Promise<number> {
  const [row] = await orm.em
    .fork()
    .execute<{ count: number }[]>("select count from applied where subject = ?", [subject]);
  return row?.count ?? 0;
}

/** The Envelope in a stream entry's field `envelope`. */
export function envelopeIn(fields: Buffer[]): Envelope {
  const raw = fields[fields.findIndex((field) => field.toString() === "envelope") + 1];
  if (!raw) throw new Error("the entry has no envelope field");
  return fromBinary(EnvelopeSchema, raw);
}

/** The `version` of the EventPublished an envelope carries, which tests use as a sequence number. */
export function versionOf(envelope: Envelope): number {
  const payload = envelope.payload && anyUnpack(envelope.payload, EventPublishedSchema);
  if (!payload) throw new Error(`envelope ${envelope.id} carries no EventPublished`);
  return Number(payload.version);
}
