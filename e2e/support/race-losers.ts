import { Code } from "@connectrpc/connect";
import { type HoldLife, type SeatLeg, seatLeg } from "./race-holds.js";
import type { AttemptRecord, BuyerRecord } from "./race-protocol.js";

/** The seat-leg a PreconditionFailure subject names: `seat:<id>`, on a trip `seat:<id>/leg:<from>-<to>`. */
function seatLegOfSubject(subject: string, stopIds: readonly string[]): SeatLeg | undefined {
  if (!subject.startsWith("seat:")) return undefined;
  const named = subject.slice("seat:".length);
  if (stopIds.length === 0) return seatLeg(named, 0);
  const cut = named.lastIndexOf("/leg:");
  if (cut < 0) return undefined;
  const legName = named.slice(cut + "/leg:".length);
  const leg = stopIds.findIndex((stop, i) => i + 1 < stopIds.length && `${stop}-${stopIds[i + 1]}` === legName);
  return leg < 0 ? undefined : seatLeg(named.slice(0, cut), leg);
}

/** What the losers' answers came to, and what was wrong with them. */
export interface LoserReport {
  readonly losses: number;
  readonly namedSeatLegs: number;
  readonly problems: readonly string[];
}

/**
 * Every refused HoldSeats: FAILED_PRECONDITION whose PreconditionFailure names at least one seat (and
 * leg) of its own request, nothing else, as SEAT_HELD or SEAT_SOLD; each named seat-leg really was
 * taken by another buyer's hold that may have held it during the call (sold: whose commit was sent
 * before the answer); and every seat-leg of the request that another hold certainly had during the
 * whole call is named.
 */
export function checkLosers(
  buyers: readonly BuyerRecord[],
  bySeatLeg: ReadonlyMap<SeatLeg, readonly HoldLife[]>,
  stopIds: readonly string[],
): LoserReport {
  const problems: string[] = [];
  let losses = 0;
  let namedSeatLegs = 0;
  for (const buyer of buyers) {
    for (const attempt of buyer.attempts) {
      if (attempt.error?.code !== Code.FailedPrecondition) continue;
      losses++;
      const where = `${buyer.route} ${buyer.buyerId} asking ${attempt.seatIds} on legs ${attempt.legs}`;
      const asked = new Set(attempt.seatIds.flatMap((seatId) => attempt.legs.map((leg) => seatLeg(seatId, leg))));
      const { violations } = attempt.error;
      if (violations.length === 0) problems.push(`${where}: FAILED_PRECONDITION without seats named`);
      const named = new Set<SeatLeg>();
      for (const { type, subject } of violations) {
        const key = seatLegOfSubject(subject, stopIds);
        if (key === undefined || !asked.has(key) || (type !== "SEAT_HELD" && type !== "SEAT_SOLD")) {
          problems.push(`${where}: named ${type} ${subject}, not a seat-leg of its request`);
          continue;
        }
        named.add(key);
        const others = (bySeatLeg.get(key) ?? []).filter((life) => life.buyerId !== buyer.buyerId);
        const isExplained =
          type === "SEAT_SOLD"
            ? others.some((life) => life.commit !== undefined && life.commit.sentAt <= attempt.answeredAt)
            : others.some((life) => mayBeHeldDuring(life, attempt));
        if (!isExplained) problems.push(`${where}: named ${type} ${subject}, which no hold could explain`);
      }
      namedSeatLegs += named.size;
      for (const key of asked) {
        const isCertainlyTaken = (bySeatLeg.get(key) ?? []).some(
          (life) => life.grantedAt < attempt.sentAt && life.certainEnd > attempt.answeredAt,
        );
        if (isCertainlyTaken && !named.has(key)) problems.push(`${where}: did not name ${key}, taken all along`);
      }
    }
  }
  return { losses, namedSeatLegs, problems };
}

function mayBeHeldDuring(life: HoldLife, attempt: AttemptRecord): boolean {
  return life.requestedAt <= attempt.answeredAt && life.heldUntilAtMost >= attempt.sentAt;
}
