// The throwaway service of the manifest test: a proto (test/proto/.../tally.proto), this manifest and
// its two RPC entries, and nothing else — no server.ts wiring, no test harness of its own.
import { defineEntity, p } from "@mikro-orm/core";
import { Migration } from "@mikro-orm/migrations";
import { type Database, defineRpc, defineService, integer, quotaExceeded } from "../../src/index.js";
import { TallyService } from "../gen/marquee/meshtest/v1/tally_pb.js";

const Tally = defineEntity({
  name: "Tally",
  tableName: "tally",
  properties: { name: p.text().primary(), total: p.bigint() },
});

class CreateTally extends Migration {
  override name = "tally_create";
  override up(): void {
    this.addSql(`create table "tally" ("name" text primary key, "total" bigint not null);`);
  }
}

/** What the handlers are built from: the database and the service's own setting. */
interface Tallies {
  readonly orm: Database;
  readonly maxTotal: number;
}

const counterName = /^[a-z]{1,20}$/;

export const add = defineRpc(TallyService.method.add, {
  rules(request, check) {
    check.matches("name", request.name, counterName, "must be 1 to 20 lower-case letters");
    check.range("amount", request.amount, 1, 100);
  },
  handler({ orm, maxTotal }: Tallies) {
    // One transaction: an addition past the maximum is refused and changes nothing.
    return (request) =>
      orm.em.fork().transactional(async (em) => {
        const [row] = await em.execute<{ total: string }[]>(
          `insert into "tally" ("name", "total") values (?, ?) on conflict ("name") do update set "total" = "tally"."total" + excluded."total" returning "total"`,
          [request.name, request.amount],
        );
        const total = BigInt(row?.total ?? 0);
        if (total > BigInt(maxTotal)) {
          throw quotaExceeded(`the counter would pass ${maxTotal}`, [
            { subject: `tally:${request.name}`, description: `would reach ${total}` },
          ]);
        }
        return { total };
      });
  },
});

export const getTotal = defineRpc(TallyService.method.getTotal, {
  rules(request, check) {
    check.matches("name", request.name, counterName, "must be 1 to 20 lower-case letters");
  },
  handler({ orm }: Tallies) {
    return async (request) => {
      const [row] = await orm.em
        .fork()
        .execute<{ total: string }[]>(`select "total" from "tally" where "name" = ?`, [request.name]);
      return { total: BigInt(row?.total ?? 0) };
    };
  },
});

export const tally = defineService({
  name: "tally",
  ports: { grpc: 50099, metrics: 9499 },
  upstreams: {},
  settings: { TALLY_MAX_TOTAL: integer("largest total a counter may reach", 1000, { min: 1, max: 1_000_000 }) },
  database: { schema: "tally", entities: [Tally], migrations: [CreateTally] },
  services: [TallyService],
  rpcs: [add, getTotal],
  compose: ({ orm, config }) => ({ deps: { orm, maxTotal: config.TALLY_MAX_TOTAL } }),
});
