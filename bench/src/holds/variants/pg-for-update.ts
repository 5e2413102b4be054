import { randomUUID } from "node:crypto";
import pg from "pg";
import { SupplyExhausted } from "../../support/load.js";
import type { VariantKey } from "../config.js";
import { defaultPolicy, seatsPerHold, type Variant } from "../variant.js";

const schema = "bench_holds";

/**
 * Sized apart from BENCH_MAX_HOLDS_PER_S (which bounds the minted tokens this variant does not need): rows
 * for 10,000 holds/s over warm-up + window, a few seconds of inserting.
 */
const pgMaxHoldsPerSecond = 10_000;

/** Seat states of the baseline's `seat` table. */
const free = 0;
const held = 1;

/**
 * The tables a PostgreSQL-only inventory would hold seats in: a row per (event, seat) with its state and
 * holder, and a row per hold. The partial index serves the per-user count. Made afresh once per run;
 * each variant sells its own event.
 */
const ddl = [
  `drop schema if exists ${schema} cascade`,
  `create schema ${schema}`,
  `create table ${schema}.seat (
     event_id int not null,
     seat_index int not null,
     state smallint not null default ${free},  -- 0 free, 1 held, 2 sold
     hold_id uuid,
     user_id text,
     primary key (event_id, seat_index))`,
  `create index seat_by_user on ${schema}.seat (event_id, user_id) where user_id is not null`,
  `create table ${schema}.hold (
     id uuid primary key,
     event_id int not null,
     user_id text not null,
     seat_indexes int[] not null,
     expires_at timestamptz not null,
     created_at timestamptz not null default now())`,
];

let schemaReady: Promise<void> | undefined;

/** The statements of one hold, prepared once per connection (node-pg names them). */
const statements = {
  lockSeats: {
    name: "bench-lock-seats",
    // Rows locked in index order, so two holds over the same seats can never deadlock.
    text: `select seat_index, state from ${schema}.seat
           where event_id = $1 and seat_index = any($2::int[]) order by seat_index for update`,
  },
  lockBuyer: {
    name: "bench-lock-buyer",
    // Counting is race-free only if one buyer's holds on one event run one at a time.
    text: "select pg_advisory_xact_lock($1::int, hashtext($2))",
  },
  countBuyerSeats: {
    name: "bench-count-buyer-seats",
    text: `select count(*)::int as seats from ${schema}.seat where event_id = $1 and user_id = $2`,
  },
  insertHoldTakeSeats: {
    name: "bench-insert-hold",
    text: `with hold as (
             insert into ${schema}.hold (id, event_id, user_id, seat_indexes, expires_at)
             values ($3, $1, $2, $4::int[], now() + make_interval(secs => $5))
             returning id)
           update ${schema}.seat set state = ${held}, hold_id = (select id from hold), user_id = $2
           where event_id = $1 and seat_index = any($4::int[])`,
  },
};

/** The outcome of one baseline hold, as the Lua script's. */
type PgHoldOutcome = "held" | "taken" | "cap";

/**
 * One hold in one transaction, READ COMMITTED (PostgreSQL's default): lock the requested seat rows with
 * SELECT … FOR UPDATE, check every one is free, lock the buyer and count the seats they hold on the event
 * against the cap, then insert the hold row and mark the seats held. Six round trips: BEGIN, lock seats,
 * lock buyer, count, insert + update (one statement), COMMIT.
 */
async function holdInPostgres(
  client: pg.PoolClient,
  eventId: number,
  userId: string,
  seatIndexes: readonly number[],
): Promise<PgHoldOutcome> {
  await client.query("begin");
  try {
    const locked = await client.query<{ seat_index: number; state: number }>({
      ...statements.lockSeats,
      values: [eventId, seatIndexes],
    });
    if (locked.rowCount !== seatIndexes.length || locked.rows.some((row) => row.state !== free)) {
      await client.query("rollback");
      return "taken";
    }
    await client.query({ ...statements.lockBuyer, values: [eventId, userId] });
    const counted = await client.query<{ seats: number }>({ ...statements.countBuyerSeats, values: [eventId, userId] });
    if ((counted.rows[0]?.seats ?? 0) + seatIndexes.length > defaultPolicy.maxSeatsPerUser) {
      await client.query("rollback");
      return "cap";
    }
    await client.query({
      ...statements.insertHoldTakeSeats,
      values: [eventId, userId, randomUUID(), seatIndexes, defaultPolicy.holdTtlMs / 1000],
    });
    await client.query("commit");
    return "held";
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    throw error;
  }
}

/**
 * (d) The same hold in PostgreSQL alone, on the stack's embedded PostgreSQL (launched with PostgreSQL's
 * defaults: fsync on, synchronous_commit on), through a pg pool. `pg_async_commit` repeats it with
 * synchronous_commit off for its connections: commits no longer wait for the WAL flush, closer to the
 * durability of Redis here (an RDB snapshot a minute, no AOF).
 */
function pgVariant(key: VariantKey, title: string, eventId: number, isAsyncCommit: boolean): Variant {
  return {
    key,
    title,
    async prepare(context) {
      const { config } = context;
      const groups = Math.ceil((pgMaxHoldsPerSecond * (config.warmupMs + config.durationMs)) / 1000);
      const admin = new pg.Client({ connectionString: context.stack.databaseUrl });
      await admin.connect();
      try {
        schemaReady ??= (async () => {
          for (const statement of ddl) await admin.query(statement);
        })();
        await schemaReady;
        const seats = groups * seatsPerHold;
        await admin.query(
          `insert into ${schema}.seat (event_id, seat_index) select $1, i from generate_series(0, $2 - 1) as i`,
          [eventId, seats],
        );
        // Loading's dirty pages are flushed now rather than by a checkpoint inside the window.
        await admin.query(`vacuum analyze ${schema}.seat`);
        await admin.query("checkpoint");
      } finally {
        await admin.end();
      }
      const pool = new pg.Pool({
        connectionString: context.stack.databaseUrl,
        max: config.pgPoolSize,
        ...(isAsyncCommit ? { options: "-c synchronous_commit=off" } : {}),
      });
      let next = 0;
      return {
        setup:
          `${schema}.seat with ${(groups * seatsPerHold).toLocaleString("en-US")} rows for event ${eventId}; ` +
          `pg.Pool of ${config.pgPoolSize} connections` +
          (isAsyncCommit ? ", synchronous_commit=off" : ", synchronous_commit=on (default)") +
          "; seats handed out 4 consecutive at a time, a new user id per hold",
        operation: {
          async run() {
            const n = next++;
            if (n >= groups) throw new SupplyExhausted(`all ${groups} seat groups of the baseline are held`);
            const seatIndexes = Array.from({ length: seatsPerHold }, (_, i) => n * seatsPerHold + i);
            const client = await pool.connect();
            try {
              const outcome = await holdInPostgres(client, eventId, `bench-pg-${eventId}-${n}`, seatIndexes);
              if (outcome !== "held") throw new Error(`hold refused: ${outcome}`);
              return outcome;
            } finally {
              client.release();
            }
          },
        },
        async close() {
          await pool.end();
        },
      };
    },
  };
}

export const pgForUpdate = pgVariant(
  "pg_for_update",
  "the same hold in PostgreSQL: one transaction with SELECT … FOR UPDATE (synchronous_commit on)",
  1,
  false,
);

export const pgAsyncCommit = pgVariant(
  "pg_async_commit",
  "the PostgreSQL baseline with synchronous_commit off (commits do not wait for the WAL flush)",
  2,
  true,
);
