import { randomUUID } from "node:crypto";
import { mintDevToken } from "@marquee/mesh";
import { SupplyExhausted } from "../support/load.js";
import type { SellableEvent } from "./fixtures.js";

/** The development signing key (a private JWK), as `mintDevToken` takes it. */
export type SigningKey = Parameters<typeof mintDevToken>[0];

/** A buyer: a fresh user id and a customer token for it, signed with the stack's development key. */
export interface Buyer {
  readonly userId: string;
  readonly token: string;
}

/** Seats one hold asks for: some seat ids of one event. */
export interface SeatGroup {
  readonly eventId: string;
  readonly seatIds: readonly string[];
}

/** Mints `count` buyers, 64 signatures at a time (signing runs on libuv's thread pool). */
export async function mintBuyers(signingKey: SigningKey, count: number): Promise<Buyer[]> {
  const buyers: Buyer[] = [];
  while (buyers.length < count) {
    const batch = Math.min(64, count - buyers.length);
    buyers.push(
      ...(await Promise.all(
        Array.from({ length: batch }, async () => {
          const userId = randomUUID();
          return { userId, token: await mintDevToken(signingKey, { sub: userId, roles: ["customer"] }) };
        }),
      )),
    );
  }
  return buyers;
}

/** Hands each buyer out once, so no buyer ever meets the per-user cap. */
export class BuyerQueue {
  private next = 0;

  constructor(private readonly buyers: readonly Buyer[]) {}

  take(): Buyer {
    const buyer = this.buyers[this.next++];
    if (buyer === undefined) throw new SupplyExhausted(`all ${this.buyers.length} minted buyers have held`);
    return buyer;
  }

  get used(): number {
    return Math.min(this.next, this.buyers.length);
  }
}

/**
 * Consecutive seats of one row, `size` at a time, event after event, each handed out once: holds never
 * collide, so every request does the full work of a successful hold. The first group of every event is
 * kept back for warming that event up.
 */
export class SeatGroups {
  private eventIndex = 0;
  private rowIndex = 0;
  private seatIndex: number;

  constructor(
    private readonly events: readonly SellableEvent[],
    private readonly size: number,
  ) {
    this.seatIndex = size;
  }

  /** The group kept back in `event` for warming it up. */
  static warmupGroup(event: SellableEvent, size: number): SeatGroup {
    return { eventId: event.eventId, seatIds: (event.rows[0] ?? []).slice(0, size) };
  }

  /** Groups of `size` seats per event (the warm-up group included). */
  static groupsPerEvent(event: SellableEvent, size: number): number {
    return event.rows.reduce((sum, row) => sum + Math.floor(row.length / size), 0);
  }

  take(): SeatGroup {
    for (;;) {
      const event = this.events[this.eventIndex];
      if (event === undefined) throw new SupplyExhausted(`every seat of ${this.events.length} events is held`);
      const row = event.rows[this.rowIndex];
      if (row === undefined) {
        this.eventIndex++;
        this.rowIndex = 0;
        this.seatIndex = this.size;
        continue;
      }
      if (this.seatIndex + this.size > row.length) {
        this.rowIndex++;
        this.seatIndex = 0;
        continue;
      }
      const seatIds = row.slice(this.seatIndex, this.seatIndex + this.size);
      this.seatIndex += this.size;
      return { eventId: event.eventId, seatIds };
    }
  }
}

/**
 * Seat groups that come back: a hold takes one, and it is returned once the hold is released, so a small
 * vehicle serves an unbounded number of holds.
 */
export class RecyclingGroups {
  private readonly free: SeatGroup[];

  constructor(groups: readonly SeatGroup[]) {
    this.free = [...groups];
  }

  take(): SeatGroup {
    const group = this.free.shift();
    if (group === undefined) throw new SupplyExhausted("every seat group is held; add vehicles");
    return group;
  }

  give(group: SeatGroup): void {
    this.free.push(group);
  }
}
