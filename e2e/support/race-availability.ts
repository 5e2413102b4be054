import { setTimeout as sleep } from "node:timers/promises";
import { createClient as createConnectClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { createClient } from "@marquee/mesh";
import {
  type GetAvailabilityResponse,
  InventoryService,
  SeatState,
} from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { type HoldLife, type SeatLeg, seatLeg } from "./race-holds.js";

const pollPauseMs = 10;

/** One GetAvailability answer, when it was asked and answered, and for which legs. */
export interface AvailabilityPoll {
  readonly via: "inventory-grpc" | "bff-connect-json";
  /** The ride's legs; for an event its one leg, 0. */
  readonly legs: readonly number[];
  readonly sentAt: number;
  readonly answeredAt: number;
  readonly answer: GetAvailabilityResponse;
}

/** Where to read availability from. */
export interface AvailabilityTarget {
  readonly eventId: string;
  /** The trip's stops; empty for an event. */
  readonly stopIds: readonly string[];
  readonly inventoryAddress: string;
  readonly bffUrl: string;
}

/** The rides worth reading: each leg alone, and on a trip the whole route too. */
export function ridesOf(stopIds: readonly string[]): number[][] {
  if (stopIds.length === 0) return [[0]];
  const legs = Array.from({ length: stopIds.length - 1 }, (_, leg) => [leg]);
  return [...legs, legs.flat()];
}

/** A reader of availability, straight from the inventory and through the BFF. */
export function availabilityReader(target: AvailabilityTarget) {
  const direct = createClient(InventoryService, { address: target.inventoryAddress, timeoutMs: 30_000 });
  const viaBff = createConnectClient(
    InventoryService,
    createConnectTransport({ baseUrl: target.bffUrl, httpVersion: "1.1" }),
  );
  const read = async (via: AvailabilityPoll["via"], legs: readonly number[]): Promise<AvailabilityPoll> => {
    const isWholeRoute = target.stopIds.length === 0 || legs.length === target.stopIds.length - 1;
    const from = legs[0] as number;
    const request = {
      eventId: target.eventId,
      includeSeats: true,
      ...(isWholeRoute
        ? {}
        : { ride: { boardingStopId: target.stopIds[from], alightingStopId: target.stopIds[from + legs.length] } }),
    };
    const sentAt = Date.now();
    const answer =
      via === "inventory-grpc"
        ? await direct.getAvailability(request)
        : await viaBff.getAvailability(request, { timeoutMs: 30_000 });
    return { via, legs, sentAt, answeredAt: Date.now(), answer };
  };
  return { read, close: () => direct.close() };
}

/**
 * Reads availability over and over, straight and through the BFF at once, cycling through the rides,
 * until stopped; then gives back every answer and every failed read.
 */
export function pollAvailability(target: AvailabilityTarget) {
  const reader = availabilityReader(target);
  const rides = ridesOf(target.stopIds);
  const polls: AvailabilityPoll[] = [];
  const failures: string[] = [];
  let isStopped = false;
  const loop = async (via: AvailabilityPoll["via"]) => {
    for (let i = 0; !isStopped; i++) {
      try {
        polls.push(await reader.read(via, rides[i % rides.length] as number[]));
      } catch (error) {
        failures.push(`${via}: ${error instanceof Error ? error.message : String(error)}`);
      }
      // A short pause: reads all through the race without becoming much of its load.
      await sleep(pollPauseMs);
    }
  };
  const loops = Promise.all([loop("inventory-grpc"), loop("bff-connect-json")]);
  let stopped: Promise<{ polls: AvailabilityPoll[]; failures: string[] }> | undefined;
  return {
    /** Stops reading (once, however often called) and gives back what was read. */
    stop() {
      isStopped = true;
      stopped ??= loops.then(() => {
        reader.close();
        return { polls, failures };
      });
      return stopped;
    },
  };
}

/**
 * What is wrong with one answer: its counts must add up (available + held + sold = capacity per section,
 * the event's capacity in all), match its seats' states one by one, and agree with the holds the buyers
 * saw — a SOLD seat has a commit sent before the answer, a HELD one a hold that may have lived during the
 * read, an AVAILABLE one no hold that certainly lived all through it, and a seat whose commit had answered
 * before the read is SOLD.
 */
export function pollProblems(
  poll: AvailabilityPoll,
  capacity: number,
  bySeatLeg: ReadonlyMap<SeatLeg, readonly HoldLife[]>,
): string[] {
  const where = `${poll.via} legs ${poll.legs} at ${poll.sentAt}`;
  const problems: string[] = [];
  const { sections, seats } = poll.answer;
  const total = { available: 0, held: 0, sold: 0, capacity: 0 };
  for (const section of sections) {
    if (section.available + section.held + section.sold !== section.capacity) {
      problems.push(`${where}: ${section.sectionId} counts ${JSON.stringify(section)} do not add up`);
    }
    total.available += section.available;
    total.held += section.held;
    total.sold += section.sold;
    total.capacity += section.capacity;
  }
  const tally = (state: SeatState) => seats.filter((seat) => seat.state === state).length;
  const seen = { available: tally(SeatState.AVAILABLE), held: tally(SeatState.HELD), sold: tally(SeatState.SOLD) };
  if (total.capacity !== capacity || seats.length !== capacity) {
    problems.push(`${where}: capacity ${total.capacity} with ${seats.length} seats listed, not ${capacity}`);
  }
  if (seen.available !== total.available || seen.held !== total.held || seen.sold !== total.sold) {
    problems.push(`${where}: sections count ${JSON.stringify(total)}, seats ${JSON.stringify(seen)}`);
  }
  for (const { seatId, state } of seats) {
    const lives = poll.legs.flatMap((leg) => bySeatLeg.get(seatLeg(seatId, leg)) ?? []);
    const mayBeSold = lives.some((life) => life.commit !== undefined && life.commit.sentAt <= poll.answeredAt);
    const isSold = lives.some((life) => life.commit !== undefined && life.commit.answeredAt < poll.sentAt);
    const mayBeHeld = lives.some((life) => life.requestedAt <= poll.answeredAt && life.heldUntilAtMost >= poll.sentAt);
    const isTaken = lives.some((life) => life.grantedAt < poll.sentAt && life.certainEnd > poll.answeredAt);
    const isWrong =
      (state === SeatState.SOLD && !mayBeSold) ||
      (state === SeatState.HELD && (!mayBeHeld || isSold)) ||
      (state === SeatState.AVAILABLE && (isTaken || isSold)) ||
      state === SeatState.UNSPECIFIED;
    if (isWrong) problems.push(`${where}: ${seatId} is ${SeatState[state]}, which the holds contradict`);
  }
  return problems;
}
