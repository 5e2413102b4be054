import { expect } from "chai";
import pg from "pg";
import { testDatabase } from "../../src/testing/postgres.js";

describe("testDatabase", () => {
  async function query(url: string, sql: string) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  }

  it("names a fresh schema after the prefix on each call, on one server", async () => {
    const [a, b] = [await testDatabase("Orders-Test"), await testDatabase("Orders-Test")];
    expect(a.url).to.equal(b.url);
    expect(a.schema).to.match(/^orders_test_[0-9a-f]{10}$/);
    expect(a.schema).not.to.equal(b.schema);
  });

  it("serves a PostgreSQL that accepts connections at its URL", async () => {
    const { url } = await testDatabase("probe");
    const [row] = await query(url, "select current_setting('server_encoding') as encoding");
    expect(row.encoding).to.equal("UTF8");
  });

  it("offers the pg_trgm extension", async () => {
    const { url } = await testDatabase("trgm");
    await query(url, "create extension if not exists pg_trgm");
    const [row] = await query(url, "select similarity('Dhaka', 'Dhakka') > 0.3 as similar");
    expect(row.similar).to.equal(true);
  });
});
