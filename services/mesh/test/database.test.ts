import { defineEntity, p } from "@mikro-orm/core";
import { Migration } from "@mikro-orm/migrations";
import { expect } from "chai";
import { type Database, migrateSchema, openDatabase } from "../src/database.js";
import { createLogger } from "../src/logger.js";
import { testDatabase } from "../src/testing/postgres.js";

const Venue = defineEntity({
  name: "Venue",
  tableName: "venue",
  properties: { id: p.integer().primary(), name: p.text() },
});

class CreateVenue extends Migration {
  override name = "test_create_venue";
  override up(): void {
    this.addSql(`create table "venue" ("id" serial primary key, "name" text not null);`);
  }
}

class AddCity extends Migration {
  override name = "test_add_city";
  override up(): void {
    this.addSql(`alter table "venue" add column "city" text;`);
  }
}

const logger = createLogger("mesh-test", "silent");

describe("openDatabase", () => {
  const opened: Database[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((orm) => orm.close()));
  });

  async function open(schema: string, url: string, migrations = [CreateVenue]) {
    const orm = await openDatabase({ url, schema, entities: [Venue], migrations, logger });
    opened.push(orm);
    return orm;
  }

  it("creates the schema when it is missing", async () => {
    const { url, schema } = await testDatabase("db_create");
    const orm = await open(schema, url);
    const rows = await orm.em.fork().execute("select 1 from pg_namespace where nspname = ?", [schema]);
    expect(rows).to.have.length(1);
  });

  it("maps entities to tables in its own schema", async () => {
    const { url, schema } = await testDatabase("db_entities");
    const orm = await open(schema, url);
    await migrateSchema(orm);
    await orm.em.fork().transactional(async (em) => {
      em.create(Venue, { id: 1, name: "Arena" });
    });
    const rows = await orm.em.fork().execute(`select name from "${schema}"."venue"`);
    expect(rows).to.deep.equal([{ name: "Arena" }]);
  });

  it("resolves unqualified names in raw SQL in its own schema", async () => {
    const { url, schema } = await testDatabase("db_raw");
    const orm = await open(schema, url);
    await migrateSchema(orm);
    await orm.em.fork().execute("insert into venue (name) values (?)", ["Theatre"]);
    const [row] = await orm.em.fork().find(Venue, {});
    expect(row?.name).to.equal("Theatre");
  });

  it("rejects a schema name that is not a plain lower-case identifier", async () => {
    const { url } = await testDatabase("db_name");
    let error: unknown;
    await openDatabase({ url, schema: 'x"; drop', entities: [], migrations: [], logger }).catch((e) => (error = e));
    expect(String(error)).to.include("must match");
  });
});

describe("migrateSchema", () => {
  const opened: Database[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((orm) => orm.close()));
  });

  async function open(url: string, schema: string, migrations: (typeof CreateVenue)[]) {
    const orm = await openDatabase({ url, schema, entities: [Venue], migrations, logger });
    opened.push(orm);
    return orm;
  }

  it("runs the given migrations in order and returns their names", async () => {
    const { url, schema } = await testDatabase("mig_order");
    const orm = await open(url, schema, [CreateVenue, AddCity]);
    expect(await migrateSchema(orm)).to.deep.equal(["test_create_venue", "test_add_city"]);
    const columns = await orm.em
      .fork()
      .execute("select column_name from information_schema.columns where table_schema = ? and table_name = 'venue'", [
        schema,
      ]);
    expect(columns.map((c) => c.column_name)).to.have.members(["id", "name", "city"]);
  });

  it("runs only the migrations that have not run yet", async () => {
    const { url, schema } = await testDatabase("mig_pending");
    expect(await migrateSchema(await open(url, schema, [CreateVenue]))).to.deep.equal(["test_create_venue"]);
    expect(await migrateSchema(await open(url, schema, [CreateVenue, AddCity]))).to.deep.equal(["test_add_city"]);
    expect(await migrateSchema(await open(url, schema, [CreateVenue, AddCity]))).to.deep.equal([]);
  });

  it("records its migrations in the service's own schema", async () => {
    const { url, schema } = await testDatabase("mig_table");
    const orm = await open(url, schema, [CreateVenue]);
    await migrateSchema(orm);
    const rows = await orm.em.fork().execute(`select name from "${schema}"."mikro_orm_migrations"`);
    expect(rows.map((r) => r.name)).to.deep.equal(["test_create_venue"]);
    const inPublic = await orm.em
      .fork()
      .execute(
        "select 1 from information_schema.tables where table_schema = 'public' and table_name like '%migrations'",
      );
    expect(inPublic).to.have.length(0);
  });

  it("runs each migration once when replicas migrate at the same time", async () => {
    const { url, schema } = await testDatabase("mig_race");
    const replicas = await Promise.all([1, 2, 3].map(() => open(url, schema, [CreateVenue, AddCity])));
    const ran = await Promise.all(replicas.map((orm) => migrateSchema(orm)));
    expect(ran.flat().sort()).to.deep.equal(["test_add_city", "test_create_venue"]);
  });

  it("rolls back every migration of the run when one fails", async () => {
    class Broken extends Migration {
      override name = "test_broken";
      override up(): void {
        this.addSql("select * from no_such_table;");
      }
    }
    const { url, schema } = await testDatabase("mig_fail");
    const orm = await open(url, schema, [CreateVenue, Broken]);
    let error: unknown;
    await migrateSchema(orm).catch((e) => (error = e));
    expect(error).to.be.instanceOf(Error);
    const tables = await orm.em
      .fork()
      .execute("select 1 from information_schema.tables where table_schema = ? and table_name = 'venue'", [schema]);
    expect(tables).to.have.length(0);
  });
});
