import { Code, ConnectError } from "@connectrpc/connect";
import { expect } from "chai";
import { Redis } from "ioredis";
import pg from "pg";
import { toConnectError } from "../src/infrastructure-errors.js";
import { freePort, testDatabase } from "../src/testing/index.js";

async function failureOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error("expected the operation to fail");
}

describe("toConnectError", () => {
  let client: pg.Client;
  let schema: string;
  let url: string;

  before(async () => {
    const database = await testDatabase("infra_errors");
    schema = database.schema;
    url = database.url;
    client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`create schema ${schema}; create table ${schema}.t (id int primary key)`);
  });
  after(() => client.end());

  it("maps a PostgreSQL unique violation to ALREADY_EXISTS", async () => {
    await client.query(`insert into ${schema}.t values (1)`);
    const error = await failureOf(() => client.query(`insert into ${schema}.t values (1)`));
    expect(toConnectError(error).code).to.equal(Code.AlreadyExists);
  });

  it("maps a PostgreSQL serialization failure to ABORTED", async () => {
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      await client.query(`insert into ${schema}.t values (2) on conflict do nothing`);
      await client.query("begin isolation level serializable");
      await other.query("begin isolation level serializable");
      await client.query(`select sum(id) from ${schema}.t`);
      await other.query(`select sum(id) from ${schema}.t`);
      await client.query(`insert into ${schema}.t values (3)`);
      await other.query(`insert into ${schema}.t values (4)`);
      await client.query("commit");
      const error = await failureOf(() => other.query("commit"));
      expect(toConnectError(error).code).to.equal(Code.Aborted);
    } finally {
      await other.query("rollback").catch(() => undefined);
      await other.end();
    }
  });

  it("maps a refused PostgreSQL connection to UNAVAILABLE", async () => {
    const nobody = new pg.Client({ host: "127.0.0.1", port: await freePort(), user: "x", password: "x" });
    const error = await failureOf(() => nobody.connect());
    expect(toConnectError(error).code).to.equal(Code.Unavailable);
  });

  it("maps a Redis that is down to UNAVAILABLE", async () => {
    const redis = new Redis(`redis://127.0.0.1:${await freePort()}`, {
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
      lazyConnect: true,
    });
    redis.on("error", () => {}); // the failure under test arrives through connect()
    const error = await failureOf(() => redis.connect());
    expect(toConnectError(error).code).to.equal(Code.Unavailable);
    redis.disconnect();
  });

  it("answers anything unknown with INTERNAL and a generic message, keeping the cause for the log", () => {
    const cause = new TypeError("cannot read properties of undefined (reading 'secret')");
    const mapped = toConnectError(cause);
    expect(mapped.code).to.equal(Code.Internal);
    expect(mapped.rawMessage).to.equal("internal error");
    expect(mapped.cause).to.equal(cause);
  });

  it("passes a ConnectError through unchanged", () => {
    const original = new ConnectError("seat taken", Code.FailedPrecondition);
    expect(toConnectError(original)).to.equal(original);
  });
});
