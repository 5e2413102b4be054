import { randomUUID } from "node:crypto";
import type { Database } from "@marquee/mesh";
import { waitFor } from "@marquee/mesh/testing";
import { SeatState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import {
  type AvailabilityPoll,
  availabilityReader,
  pollAvailability,
  pollProblems,
  ridesOf,
} from "./race-availability.js";
import type { Fleet } from "./race-fleet.js";
import { doubleTakes, holdLives, otherFailures, seatLeg, winnerProblems } from "./race-holds.js";
import { checkLosers } from "./race-losers.js";
import { type BuyerRecord, type RaceOrder, type Route, routes } from "./race-protocol.js";

/** One race: the event, how buyers ask, and where everything runs. */
export interface RaceSetup {
  readonly fleet: Fleet;
  readonly workerCount: number;
  readonly buyerCount: number;
  readonly eventId: string;
  /** The trip's stops; empty for an event. */
  readonly stopIds: readonly string[];
  readonly seatsPerHold: readonly [number, number];
  readonly inventoryAddress: string;
  readonly bffUrl: string;
  readonly redisUrl: string;
  readonly signingKeyPath: string;
  /** The stack's PostgreSQL, schema `inventory`: the sold-seat ledger. */
  readonly ledger: Database;
}

/** The race's numbers, for the report. */
export interface RaceCounts {
  /** Buyers whose first HoldSeats won, and lost. */
  readonly firstWins: number;
  readonly firstLosses: number;
  /** Losers that retried on other seats, and those that won then. */
  readonly retries: number;
  readonly retryWins: number;
  /** Holds got, and what became of them. */
  readonly holds: number;
  readonly commits: number;
  readonly releases: number;
  readonly expiries: number;
  /** Holds on a seat-leg that an earlier hold had held until its release, or its expiry. */
  readonly reheldAfterRelease: number;
  readonly reheldAfterExpiry: number;
  /** HoldSeats refused FAILED_PRECONDITION, and the seat-legs their refusals named. */
  readonly losses: number;
  readonly namedSeatLegs: number;
  /** GetAvailability reads during the race, and those of them through the BFF. */
  readonly polls: number;
  readonly pollsThroughBff: number;
}

/** What a race came to: the numbers to report and every problem found, by check. */
export interface RaceOutcome {
  readonly capacity: number;
  readonly buyers: readonly BuyerRecord[];
  readonly byRoute: Readonly<Record<Route, number>>;
  readonly allAnsweredMs: number;
  readonly medianAnsweredMs: number;
  readonly signalSpreadMs: number;
  readonly counts: RaceCounts;
  readonly problems: Readonly<Record<string, readonly string[]>>;
  /** Sold seat-legs (`<seat>#<leg>`), sorted, as the ledger, the commits and GetAvailability each say. */
  readonly sold: { readonly ledger: string[]; readonly committed: string[]; readonly available: string[] };
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/**
 * Runs one race and checks it: `buyerCount` buyers with fresh ids over `workerCount` processes, every
 * route equally mixed in each; GetAvailability read straight and through the BFF all along; then, once
 * the sweeper has freed every expired hold, the final availability of every leg against the commits and
 * the ledger.
 */
export async function runRace(setup: RaceSetup): Promise<RaceOutcome> {
  const reader = availabilityReader(setup);
  const rides = ridesOf(setup.stopIds);
  try {
    const seatIds = (await reader.read("inventory-grpc", rides[0] as number[])).answer.seats.map((s) => s.seatId);
    const buyers = Array.from({ length: setup.buyerCount }, (_, i) => ({
      buyerId: randomUUID(),
      route: routes[i % routes.length] as Route,
    }));
    const perWorker = Math.ceil(buyers.length / setup.workerCount);
    const orders: RaceOrder[] = Array.from({ length: setup.workerCount }, (_, w) => ({
      eventId: setup.eventId,
      seatIds,
      stopIds: setup.stopIds,
      seatsPerHold: setup.seatsPerHold,
      buyers: buyers.slice(w * perWorker, (w + 1) * perWorker),
      inventoryAddress: setup.inventoryAddress,
      bffUrl: setup.bffUrl,
      redisUrl: setup.redisUrl,
      signingKeyPath: setup.signingKeyPath,
      connectionsPerRoute: 8,
    }));
    let poller: ReturnType<typeof pollAvailability> | undefined;
    const raced = setup.fleet.race(orders, () => {
      poller = pollAvailability(setup);
    });
    const result = await raced.finally(() => poller?.stop());
    const watched = (await poller?.stop()) ?? { polls: [], failures: ["availability was never read"] };

    // Every hold ended: committed, released, or expired — and expired ones are held until the sweeper runs.
    // A hold still held after the wait is reported by the final checks, with the holds on its seats.
    await waitFor(
      "the sweeper to free every expired hold",
      async () => {
        const reads = await Promise.all(rides.map((legs) => reader.read("inventory-grpc", legs)));
        return reads.every((read) => read.answer.sections.every((section) => section.held === 0));
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    ).catch(() => undefined);
    const finals: AvailabilityPoll[] = [];
    for (const legs of rides) {
      for (const via of ["inventory-grpc", "bff-connect-json"] as const) finals.push(await reader.read(via, legs));
    }
    const ledgerRows = await setup.ledger.em
      .fork()
      .execute<{ seat_index: number; leg: number; order_id: string; hold_id: string; user_id: string }[]>(
        "select seat_index, leg, order_id, hold_id, user_id from sold_seat where event_id = ?",
        [setup.eventId],
      );
    return judge(setup, seatIds, result, watched, finals, ledgerRows);
  } finally {
    reader.close();
  }
}

function judge(
  setup: RaceSetup,
  seatIds: readonly string[],
  result: Awaited<ReturnType<Fleet["race"]>>,
  watched: { polls: AvailabilityPoll[]; failures: string[] },
  finals: readonly AvailabilityPoll[],
  ledgerRows: readonly { seat_index: number; leg: number; order_id: string; hold_id: string; user_id: string }[],
): RaceOutcome {
  const { buyers } = result;
  const capacity = seatIds.length;
  const { all, bySeatLeg } = holdLives(buyers);
  const losers = checkLosers(buyers, bySeatLeg, setup.stopIds);
  const firstAnswers = buyers.map((buyer) => (buyer.attempts[0]?.answeredAt ?? Infinity) - result.goAt);
  const committed = all.filter((life) => life.commit !== undefined && life.commit.answeredAt < Infinity);
  const fateCount = (kind: string) => all.filter((life) => life.fate?.kind === kind && !life.fate.error).length;
  const reheld = (kind: string) =>
    all.filter((life) =>
      life.seatLegs.some((key) =>
        (bySeatLeg.get(key) ?? []).some(
          (other) => other.fate?.kind === kind && !other.fate.error && other.certainEnd <= life.requestedAt,
        ),
      ),
    ).length;

  const saleOf = new Map(committed.flatMap((life) => life.seatLegs.map((key) => [key, life] as const)));
  const ledgerProblems = ledgerRows.flatMap((row) => {
    const life = saleOf.get(seatLeg(seatIds[row.seat_index] ?? `#${row.seat_index}`, row.leg));
    const isMatch =
      life?.commit?.orderId === row.order_id && life.holdId === row.hold_id && life.buyerId === row.user_id;
    return isMatch ? [] : [`ledger row ${JSON.stringify(row)} matches no commit`];
  });
  const singleLegFinals = finals.filter((read) => read.legs.length === 1 && read.via === "inventory-grpc");
  const finalProblems = [
    ...finals.flatMap((read) => pollProblems(read, capacity, bySeatLeg)),
    ...finals
      .flatMap((read) =>
        read.answer.seats.filter((seat) => seat.state === SeatState.HELD).map((seat) => ({ read, seat })),
      )
      .map(({ read, seat }) => {
        const lives = read.legs.flatMap((leg) => bySeatLeg.get(seatLeg(seat.seatId, leg)) ?? []);
        const told = lives.map(
          (life) => `${life.holdId} (${life.buyerId}) ${JSON.stringify(life.fate ?? "unanswered")}`,
        );
        return `${read.via} legs ${read.legs}: ${seat.seatId} still held after every hold ended: ${told.join("; ")}`;
      }),
    ...finals
      .filter((read) => read.via === "bff-connect-json")
      .filter((read) => {
        const direct = finals.find((other) => other.via === "inventory-grpc" && `${other.legs}` === `${read.legs}`);
        return JSON.stringify(direct?.answer.seats) !== JSON.stringify(read.answer.seats);
      })
      .map((read) => `legs ${read.legs}: the BFF and the inventory disagree`),
    ...ledgerProblems,
  ];

  return {
    capacity,
    buyers,
    byRoute: Object.fromEntries(
      routes.map((route) => [route, buyers.filter((buyer) => buyer.route === route).length]),
    ) as Record<Route, number>,
    allAnsweredMs: Math.max(...firstAnswers),
    medianAnsweredMs: median(firstAnswers),
    signalSpreadMs: result.signalSpreadMs,
    counts: {
      firstWins: buyers.filter((buyer) => buyer.attempts[0]?.hold !== undefined).length,
      firstLosses: buyers.filter((buyer) => buyer.attempts[0]?.error !== undefined).length,
      retries: buyers.filter((buyer) => buyer.attempts.length > 1).length,
      retryWins: buyers.filter((buyer) => buyer.attempts[1]?.hold !== undefined).length,
      holds: all.length,
      commits: fateCount("commit"),
      releases: fateCount("release"),
      expiries: fateCount("expire"),
      reheldAfterRelease: reheld("release"),
      reheldAfterExpiry: reheld("expire"),
      losses: losers.losses,
      namedSeatLegs: losers.namedSeatLegs,
      polls: watched.polls.length,
      pollsThroughBff: watched.polls.filter((poll) => poll.via === "bff-connect-json").length,
    },
    problems: {
      otherFailures: otherFailures(buyers),
      winners: winnerProblems(buyers, setup.stopIds),
      doubleTakes: doubleTakes(bySeatLeg),
      losers: losers.problems,
      pollFailures: watched.failures,
      polls: watched.polls.flatMap((poll) => pollProblems(poll, capacity, bySeatLeg)),
      final: finalProblems,
    },
    sold: {
      ledger: ledgerRows.map((row) => seatLeg(seatIds[row.seat_index] ?? `#${row.seat_index}`, row.leg)).sort(),
      committed: committed.flatMap((life) => life.seatLegs).sort(),
      available: singleLegFinals
        .flatMap((read) =>
          read.answer.seats
            .filter((seat) => seat.state === SeatState.SOLD)
            .map((seat) => seatLeg(seat.seatId, read.legs[0] as number)),
        )
        .sort(),
    },
  };
}
