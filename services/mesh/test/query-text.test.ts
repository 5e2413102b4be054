import { expect } from "chai";
import { redisStatementOf, sanitizedQueryText } from "../src/query-text.js";

describe("what database spans say about a statement", () => {
  it("replaces every literal of a SQL text with ? and keeps its shape", () => {
    const text = `insert into "event_buyer" ("order_id", "email", "ticket_count") values ('a2a4b989', 'nusrat@example.test', 2)`;
    expect(sanitizedQueryText(text)).to.equal(
      `insert into "event_buyer" ("order_id", "email", "ticket_count") values (?, ?, ?)`,
    );
  });

  it("takes escaped quotes, E'' strings and decimals as single literals, and leaves names and placeholders", () => {
    expect(sanitizedQueryText(`select * from t where name = 'O''Brien' and blob = E'\\\\x0a2' and x > 3.25`)).to.equal(
      "select * from t where name = ? and blob = ? and x > ?",
    );
    expect(sanitizedQueryText(`savepoint "trx1"; select $1::int, col2 from t2`)).to.equal(
      `savepoint "trx1"; select $1::int, col2 from t2`,
    );
  });

  it("says a Redis command's key but none of its values or a script's arguments", () => {
    expect(redisStatementOf("set", ["rate:1.2.3.4", "17", "PX", 500])).to.equal("set rate:1.2.3.4");
    expect(redisStatementOf("evalsha", ["abc123", 2, "hold:e1", "seats:e1", "user-7"])).to.equal("evalsha [script]");
    expect(redisStatementOf("ping", [])).to.equal("ping");
  });
});
