import { randomUUID } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createLogger, type Database, mintDevToken, openDatabase } from "@marquee/mesh";
import { repoRoot, type Stack, startStack } from "@marquee/scripts/stack";
import { expect } from "chai";
import { coachStops, publishRaceEvents } from "./support/race-events.js";
import { type Fleet, startFleet } from "./support/race-fleet.js";
import { type RaceOutcome, type RaceSetup, runRace } from "./support/race-run.js";

/** Issue #16's proof, per race: 2,000 buyers at once from four processes over three protocols. */
const buyerCount = 2000;
const workerCount = 4;

/** One line a person can read: how fast, who won, what became of the holds, what was checked. */
function summary(name: string, outcome: RaceOutcome): string {
  const { counts, byRoute } = outcome;
  return (
    `${name}: ${outcome.buyers.length} buyers in ${workerCount} processes (inventory gRPC ${byRoute["inventory-grpc"]}, ` +
    `BFF Connect JSON ${byRoute["bff-connect-json"]}, BFF gRPC ${byRoute["bff-grpc"]}); all first answers ` +
    `${outcome.allAnsweredMs} ms after the signal (median ${outcome.medianAnsweredMs} ms, signal spread ` +
    `${outcome.signalSpreadMs} ms); ${counts.firstWins} won, ${counts.firstLosses} lost; ${counts.retries} retries, ` +
    `${counts.retryWins} won; ${counts.holds} holds: ${counts.commits} committed, ${counts.releases} released, ` +
    `${counts.expiries} expired by the sweeper; ${counts.reheldAfterRelease} holds on released and ` +
    `${counts.reheldAfterExpiry} on expired seats; ${counts.losses} FAILED_PRECONDITION naming ` +
    `${counts.namedSeatLegs} seat-legs; ${counts.polls} GetAvailability reads during the race ` +
    `(${counts.pollsThroughBff} via the BFF) of a capacity of ${outcome.capacity}; sold seat-legs: ledger ` +
    `${outcome.sold.ledger.length}, commits ${outcome.sold.committed.length}, SOLD ${outcome.sold.available.length}; ` +
    `problems: ${Object.values(outcome.problems).flat().length}`
  );
}

/** Every check of a race: nothing held or sold twice, every answer as the contract says, one truth at the end. */
function expectSound(outcome: RaceOutcome, capacity: number): void {
  expect(outcome.capacity, "seats on the map").to.equal(capacity);
  expect(outcome.buyers, "every buyer's record").to.have.length(buyerCount);
  expect(outcome.allAnsweredMs, "every buyer answered, in reasonable time").to.be.below(120_000);
  const found = Object.entries(outcome.problems)
    .filter(([, problems]) => problems.length > 0)
    .map(([check, problems]) => ({ check, count: problems.length, first: problems.slice(0, 5) }));
  expect(found, "problems, by check").to.deep.equal([]);
  const { counts } = outcome;
  expect(counts.firstWins + counts.firstLosses, "a first answer each").to.equal(buyerCount);
  expect(counts.firstWins, "some won").to.be.above(0);
  expect(counts.retries, "every first loser retried").to.equal(counts.firstLosses);
  expect(counts.losses, "losers refused for taken seats").to.be.above(buyerCount / 2);
  expect(counts.polls, "availability read during the race").to.be.above(0);
  expect(counts.commits, "holds committed").to.be.above(0);
  expect(counts.releases, "holds released").to.be.above(0);
  expect(counts.expiries, "holds expired").to.be.above(0);
  expect(counts.reheldAfterRelease + counts.reheldAfterExpiry, "freed seats held again during the race").to.be.above(0);
  expect(outcome.sold.ledger, "the ledger against the commits").to.deep.equal(outcome.sold.committed);
  expect(outcome.sold.available, "GetAvailability's SOLD against the ledger").to.deep.equal(outcome.sold.ledger);
  expect(outcome.sold.ledger.length, "seat-legs sold").to.be.above(0);
}

describe("no seat sells twice: 2,000 buyers racing through the inventory's gRPC port and the BFF (issue #16)", function () {
  this.timeout(300_000);
  const dataDir = join(repoRoot, ".data", "test", `e2e-race-${process.pid}`);
  // Offsets ending in 50 never give a port that the launcher test's (10_000 + …) or bff.test.ts's
  // (14_000 + …) stacks use, and the highest service port, 50057 + 15_450, stays below 65536.
  const portOffset = 14_050 + (process.pid % 15) * 100;
  const inheritedSweepInterval = process.env.SWEEP_INTERVAL_MS;

  let stack: Stack;
  let fleet: Fleet;
  let ledger: Database;
  let events: Awaited<ReturnType<typeof publishRaceEvents>>;

  const setupOf = (eventId: string, stopIds: readonly string[], seatsPerHold: readonly [number, number]) => {
    const inventory = stack.services.find((service) => service.name === "inventory");
    if (inventory === undefined || stack.bffUrl === undefined) throw new Error("the stack has no inventory or BFF");
    return {
      fleet,
      workerCount,
      buyerCount,
      eventId,
      stopIds,
      seatsPerHold,
      inventoryAddress: inventory.address,
      bffUrl: stack.bffUrl,
      redisUrl: stack.redisUrl,
      signingKeyPath: join(dataDir, "keys", "signing-key.json"),
      ledger,
    } satisfies RaceSetup;
  };

  before(async () => {
    // The inventory reads it at start: expired holds are swept within a tenth of a second.
    process.env.SWEEP_INTERVAL_MS = "100";
    try {
      // The race is about seats, not the BFF's rate limits, and sends far more holds per buyer than they allow.
      stack = await startStack({ dataDir, portOffset, logLevel: "warn", isRateLimited: false });
    } finally {
      if (inheritedSweepInterval === undefined) delete process.env.SWEEP_INTERVAL_MS;
      else process.env.SWEEP_INTERVAL_MS = inheritedSweepInterval;
    }
    if (stack.bffUrl === undefined) throw new Error("the stack started without a BFF");
    ledger = await openDatabase({
      url: stack.databaseUrl,
      schema: "inventory",
      entities: [],
      migrations: [],
      logger: createLogger("e2e-race", "silent"),
    });
    const signingKey = JSON.parse(readFileSync(join(dataDir, "keys", "signing-key.json"), "utf8"));
    const organizer = await mintDevToken(signingKey, { sub: randomUUID(), roles: ["customer", "organizer"] });
    events = await publishRaceEvents(stack.bffUrl, organizer, randomUUID().slice(0, 8));
    fleet = await startFleet(workerCount);
  });

  after(async () => {
    await fleet?.close();
    await ledger?.close();
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("holds and sells each of a hall's 100 seats to one buyer at a time, says which seats each loser lost, and keeps count", async () => {
    const outcome = await runRace(setupOf(events.concert.id, [], [2, 4]));
    console.log(summary("hall", outcome));
    expectSound(outcome, 100);
  });

  it("holds and sells each leg of each of the coach's 40 seats to one rider at a time over overlapping rides", async () => {
    const outcome = await runRace(setupOf(events.trip.id, coachStops, [1, 2]));
    console.log(summary("coach", outcome));
    expectSound(outcome, 40);
  });
});
