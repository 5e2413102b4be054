import { Code } from "@connectrpc/connect";
import { HoldState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import type { AttemptRecord, BuyerRecord, FateRecord } from "./race-protocol.js";

/**
 * The race's holds reconstructed from what the buyers saw, and the checks on them. Times are the
 * clients' (sent, answered), so every check is conservative: a hold certainly existed from its answer
 * until its end was sent, and possibly from its request until its end was answered. A check fails only
 * on what the times prove, never on a guess about when the server acted.
 */

/** A seat on one leg, the unit that must never be held or sold twice: `<seat id>#<leg>`. */
export type SeatLeg = string;

export const seatLeg = (seatId: string, leg: number): SeatLeg => `${seatId}#${leg}`;

/** One hold a buyer got (or may have got), with its life as the times bound it. */
export interface HoldLife {
  readonly buyerId: string;
  /** The hold's id; `?` when the HoldSeats failed in a way that leaves open whether the hold was made. */
  readonly holdId: string;
  readonly seatLegs: readonly SeatLeg[];
  /** When the HoldSeats was sent: the hold may exist from here. */
  readonly requestedAt: number;
  /** When it answered: the hold certainly exists from here (never, for a hold that may not exist). */
  readonly grantedAt: number;
  readonly fate: FateRecord | undefined;
  /** Until when the seats are certainly held or sold: the release or expiry was not sent before. */
  readonly certainEnd: number;
  /** Until when the seats may be held (not yet sold): the release, or the commit, answered by then. */
  readonly heldUntilAtMost: number;
  /**
   * The commit call of a hold that is, or may be, committed: its seats may be sold from its sending, and
   * are from its answer on (never, when the commit failed and may not have happened).
   */
  readonly commit: { readonly sentAt: number; readonly answeredAt: number; readonly orderId: string } | undefined;
}

function lifeOf(buyerId: string, attempt: AttemptRecord): HoldLife | undefined {
  const seatLegs = attempt.seatIds.flatMap((seatId) => attempt.legs.map((leg) => seatLeg(seatId, leg)));
  const requestedAt = attempt.sentAt;
  if (attempt.hold === undefined) {
    // A refusal made no hold; any other failure (a deadline, a dropped connection) may have come after
    // the hold was made, so its seats may be taken from then on.
    if (attempt.error === undefined || attempt.error.code === Code.FailedPrecondition) return undefined;
    const never = { grantedAt: Infinity, certainEnd: -Infinity, heldUntilAtMost: Infinity };
    return { buyerId, holdId: "?", seatLegs, requestedAt, ...never, fate: undefined, commit: undefined };
  }
  const fate = attempt.fate;
  const isDone = fate !== undefined && fate.error === undefined;
  return {
    buyerId,
    holdId: attempt.hold.id,
    seatLegs,
    requestedAt,
    grantedAt: attempt.answeredAt,
    fate,
    certainEnd: fate === undefined || fate.kind === "commit" ? Infinity : fate.sentAt,
    // An expired hold's seats are freed by the sweeper at a time no client sees: until the end, at most.
    heldUntilAtMost: isDone && fate.kind !== "expire" ? fate.answeredAt : Infinity,
    commit:
      fate?.kind === "commit"
        ? { sentAt: fate.sentAt, answeredAt: isDone ? fate.answeredAt : Infinity, orderId: fate.orderId ?? "" }
        : undefined,
  };
}

/** Every hold of the race that may exist, by the seat-legs it took, and those the buyers were given. */
export function holdLives(buyers: readonly BuyerRecord[]): { all: HoldLife[]; bySeatLeg: Map<SeatLeg, HoldLife[]> } {
  const lives = buyers.flatMap((buyer) => buyer.attempts.flatMap((attempt) => lifeOf(buyer.buyerId, attempt) ?? []));
  const bySeatLeg = new Map<SeatLeg, HoldLife[]>();
  for (const life of lives) {
    for (const key of life.seatLegs) bySeatLeg.set(key, [...(bySeatLeg.get(key) ?? []), life]);
  }
  return { all: lives.filter((life) => life.holdId !== "?"), bySeatLeg };
}

/**
 * No seat-leg is ever in two holds that both certainly existed at one moment, and none is in two
 * committed holds at all. Returns the violations found.
 */
export function doubleTakes(bySeatLeg: ReadonlyMap<SeatLeg, readonly HoldLife[]>): string[] {
  const problems: string[] = [];
  for (const [key, lives] of bySeatLeg) {
    lives.forEach((one, i) => {
      for (const other of lives.slice(i + 1)) {
        const isOverlap = Math.max(one.grantedAt, other.grantedAt) < Math.min(one.certainEnd, other.certainEnd);
        if (isOverlap) problems.push(`${key} held twice at once: ${one.holdId} and ${other.holdId}`);
      }
    });
    const committed = lives.filter((life) => life.commit !== undefined && life.commit.answeredAt < Infinity);
    if (committed.length > 1) problems.push(`${key} sold twice: ${committed.map((l) => l.holdId).join(", ")}`);
  }
  return problems;
}

/**
 * Each winner's answers: a HoldSeats hold that is the buyer's, ACTIVE, with exactly the seats and ride
 * asked for; then its fate done as asked (COMMITTED, RELEASED, or EXPIRED once its expiry passed).
 */
export function winnerProblems(buyers: readonly BuyerRecord[], stopIds: readonly string[]): string[] {
  const problems: string[] = [];
  const expected: Record<string, HoldState> = {
    commit: HoldState.COMMITTED,
    release: HoldState.RELEASED,
    expire: HoldState.EXPIRED,
  };
  for (const buyer of buyers) {
    for (const attempt of buyer.attempts) {
      const hold = attempt.hold;
      if (hold === undefined) continue;
      const ride =
        stopIds.length === 0
          ? ["", ""]
          : [stopIds[attempt.legs[0] as number], stopIds[(attempt.legs.at(-1) as number) + 1]];
      const sameSeats =
        hold.seatIds.length === attempt.seatIds.length && attempt.seatIds.every((s) => hold.seatIds.includes(s));
      if (hold.userId !== buyer.buyerId || !sameSeats || hold.state !== HoldState.ACTIVE) {
        problems.push(`${buyer.buyerId} asked for ${attempt.seatIds} and got ${JSON.stringify(hold)}`);
      }
      if (hold.boardingStopId !== ride[0] || hold.alightingStopId !== ride[1]) {
        problems.push(`${buyer.buyerId} rode ${ride.join("→")} but hold ${hold.id} says ${JSON.stringify(hold)}`);
      }
      const fate = attempt.fate;
      if (fate === undefined) problems.push(`${buyer.buyerId} won ${hold.id} and did nothing with it`);
      else if (fate.error !== undefined || fate.state !== expected[fate.kind]) {
        problems.push(
          `${fate.kind} of ${hold.id} answered ${JSON.stringify(fate.error ?? HoldState[fate.state ?? 0])}`,
        );
      }
    }
  }
  return problems;
}

/** Attempts that neither won nor lost to taken seats: any other answer is a failure of the race. */
export function otherFailures(buyers: readonly BuyerRecord[]): string[] {
  return buyers.flatMap((buyer) =>
    buyer.attempts
      .filter((attempt) => attempt.error !== undefined && attempt.error.code !== Code.FailedPrecondition)
      .map((attempt) => `${buyer.route} ${buyer.buyerId}: ${Code[attempt.error?.code ?? 0]} ${attempt.error?.message}`),
  );
}
