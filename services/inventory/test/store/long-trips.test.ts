import { expect } from "chai";
import { legMaskAt } from "../../src/domain/availability.js";
import type { HoldRecord } from "../../src/domain/holds.js";
import { legMask, legsOfMask } from "../../src/domain/legs.js";
import type { HoldRequest, SoldSeatLeg } from "../../src/store/hold-store.js";
import { metaKey } from "../../src/store/keys.js";
import { newEventId, policy, rowsOf, sleep, useStore } from "../support/events.js";

/**
 * Trips longer than one byte of legs: a 16-leg coach (two bytes a seat) and a 32-leg train (four, leg 31
 * in the sign bit of Lua's `bit` library). Every script reads the event's width from its `meta`.
 */
for (const legs of [16, 32] as const) {
  const width = legs === 16 ? 2 : 4;
  const seats = 12;
  const uncapped = { ...policy, maxSeatsPerUser: 0 };
  const last = legs - 1;
  const half = legs / 2;

  describe(`HoldStore on a ${legs}-leg trip`, () => {
    const { store, redis } = useStore();

    async function trip(): Promise<string> {
      const eventId = newEventId();
      expect(await store().loadEvent(eventId, seats, legs, rowsOf(seats, 4))).to.equal("loaded");
      return eventId;
    }

    async function held(request: Omit<HoldRequest, "policy"> & { policy?: HoldRequest["policy"] }) {
      const outcome = await store().hold({ policy: uncapped, ...request });
      if (outcome.kind !== "held") throw new Error(`hold gave ${JSON.stringify(outcome)}`);
      return outcome.hold;
    }

    /** Every seat's held and sold legs, as lists. */
    async function legsBySeat(eventId: string) {
      const states = await store().seatStates(eventId);
      return Array.from({ length: seats }, (_, seat) => ({
        held: legsOfMask(legMaskAt(states.held, states.width, seat)),
        sold: legsOfMask(legMaskAt(states.sold, states.width, seat)),
      }));
    }

    it(`keeps ${width} bytes a seat, recorded with the event`, async () => {
      const eventId = await trip();
      const states = await store().seatStates(eventId);
      expect(states.width).to.equal(width);
      expect(states.held.length).to.equal(seats * width);
      expect(await redis().hget(metaKey(eventId), "width")).to.equal(String(width));
    });

    it("holds one seat per leg for several riders and refuses overlapping rides naming exactly the taken legs", async () => {
      const eventId = await trip();
      const first = await held({ eventId, userId: "a", seatIndexes: [5], legs: { fromLeg: 0, toLeg: half } });
      const second = await held({ eventId, userId: "b", seatIndexes: [5], legs: { fromLeg: half, toLeg: legs } });
      expect(first.legMask).to.equal(legMask(0, half));
      expect(second.legMask).to.equal(legMask(half, legs));
      expect(second.legMask).to.be.greaterThan(0);

      const across = await store().hold({
        eventId,
        userId: "c",
        seatIndexes: [4, 5],
        legs: { fromLeg: half - 2, toLeg: half + 1 },
        policy: uncapped,
      });
      expect(across).to.deep.equal({
        kind: "taken",
        conflicts: [{ seatIndex: 5, heldLegs: [half - 2, half - 1, half], soldLegs: [] }],
      });
      const lastLeg = await store().hold({
        eventId,
        userId: "c",
        seatIndexes: [5],
        legs: { fromLeg: last, toLeg: legs },
        policy: uncapped,
      });
      expect(lastLeg).to.deep.equal({ kind: "taken", conflicts: [{ seatIndex: 5, heldLegs: [last], soldLegs: [] }] });
      expect((await legsBySeat(eventId))[5]?.held).to.deep.equal(Array.from({ length: legs }, (_, leg) => leg));
      // The seats around it are untouched, byte for byte.
      expect((await legsBySeat(eventId)).filter((_, seat) => seat !== 5).every((s) => s.held.length === 0)).to.equal(
        true,
      );
    });

    it("refuses a leg range beyond the trip's legs", async () => {
      const eventId = newEventId();
      await store().loadEvent(eventId, seats, legs - 1, rowsOf(seats, 4));
      expect(
        await store().hold({ eventId, userId: "u", seatIndexes: [0], legs: { fromLeg: 0, toLeg: legs }, policy }),
      ).to.deep.equal({ kind: "bad-legs", legCount: legs - 1 });
    });

    it("commits a hold's legs as sold, releases and refunds exactly its legs", async () => {
      const eventId = await trip();
      const tail = await held({ eventId, userId: "a", seatIndexes: [0, 1], legs: { fromLeg: last - 1, toLeg: legs } });
      const head = await held({ eventId, userId: "b", seatIndexes: [1, 2], legs: { fromLeg: 0, toLeg: 9 } });
      const middle = await held({ eventId, userId: "c", seatIndexes: [1], legs: { fromLeg: 9, toLeg: last - 1 } });
      expect((await store().commit(eventId, tail.id, "o-tail")).kind).to.equal("ok");
      expect((await store().commit(eventId, head.id, "o-head")).kind).to.equal("ok");
      expect((await store().release(eventId, middle.id, "c")).kind).to.equal("ok");
      const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
      expect((await legsBySeat(eventId)).slice(0, 3)).to.deep.equal([
        { held: [], sold: [last - 1, last] },
        { held: [], sold: [...range(0, 9), last - 1, last] },
        { held: [], sold: range(0, 9) },
      ]);
      expect(await store().releaseSold(eventId, "o-tail", [1])).to.deep.equal({
        kind: "ok",
        released: [{ seatIndex: 1, legMask: legMask(last - 1, legs) }],
      });
      expect((await legsBySeat(eventId)).slice(0, 3)).to.deep.equal([
        { held: [], sold: [last - 1, last] },
        { held: [], sold: range(0, 9) },
        { held: [], sold: range(0, 9) },
      ]);
      const again = await held({ eventId, userId: "d", seatIndexes: [1], legs: { fromLeg: 9, toLeg: legs } });
      expect(again.legMask).to.equal(legMask(9, legs));
    });

    it("sweeps lapsed holds, freeing only their legs", async () => {
      const eventId = await trip();
      const short = { ...uncapped, holdTtlMs: 10 };
      await held({ eventId, userId: "a", seatIndexes: [3], legs: { fromLeg: last, toLeg: legs }, policy: short });
      await held({ eventId, userId: "b", seatIndexes: [3], legs: { fromLeg: 0, toLeg: last } });
      await sleep(30);
      const swept = await store().sweep(eventId);
      expect(swept.map((hold) => hold.legMask)).to.deep.equal([legMask(last, legs)]);
      expect((await legsBySeat(eventId))[3]?.held).to.deep.equal(Array.from({ length: last }, (_, leg) => leg));
      expect((await held({ eventId, userId: "c", seatIndexes: [3], legs: { fromLeg: last, toLeg: legs } })).id).to.be.a(
        "string",
      );
    });

    it("picks best-available seats and general-admission places free on every leg of the ride", async () => {
      const eventId = newEventId();
      // Seats 0..7 in two rows of 4, then 4 slots standing in for a GA section's places.
      await store().loadEvent(eventId, seats, legs, rowsOf(8, 4));
      await held({ eventId, userId: "a", seatIndexes: [0, 9], legs: { fromLeg: last, toLeg: legs } });
      await held({ eventId, userId: "a", seatIndexes: [2, 8], legs: { fromLeg: 3, toLeg: 4 } });
      const best = await store().holdBestAvailable({
        eventId,
        userId: "b",
        quantity: 2,
        legs: { fromLeg: half, toLeg: legs },
        policy: uncapped,
        requireAdjacent: true,
      });
      expect(best.kind === "held" && best.hold.seatIndexes).to.deep.equal([1, 2]);
      const places = await store().hold({
        eventId,
        userId: "b",
        seatIndexes: [],
        places: [{ sectionId: "standing", run: { firstSeatIndex: 8, seatCount: 4 }, quantity: 2 }],
        legs: { fromLeg: 0, toLeg: legs },
        policy: uncapped,
      });
      expect(places.kind === "held" && places.hold.seatIndexes).to.deep.equal([10, 11]);
    });

    it("rebuilds from the ledger bit for bit what the holds sold, and drops live holds", async () => {
      const eventId = await trip();
      const sales: HoldRecord[] = [];
      const rides = [
        { seatIndexes: [0, 1], legs: { fromLeg: 0, toLeg: 7 } },
        { seatIndexes: [0], legs: { fromLeg: 7, toLeg: 9 } },
        { seatIndexes: [1, 6], legs: { fromLeg: 8, toLeg: legs } },
        { seatIndexes: [11], legs: { fromLeg: last, toLeg: legs } },
        { seatIndexes: [10], legs: { fromLeg: 0, toLeg: legs } },
      ];
      for (const [i, ride] of rides.entries()) {
        const hold = await held({ eventId, userId: `rider-${i % 2}`, ...ride });
        expect((await store().commit(eventId, hold.id, `order-${i}`)).kind).to.equal("ok");
        sales.push(hold);
      }
      const live = await held({ eventId, userId: "holder", seatIndexes: [4], legs: { fromLeg: 2, toLeg: legs } });
      const before = await store().seatStates(eventId);

      // The ledger's rows of these sales, one per seat and leg, as soldSeatLegs reads them.
      const ledger: SoldSeatLeg[] = sales.flatMap((hold, i) =>
        hold.seatIndexes.flatMap((seatIndex) =>
          legsOfMask(hold.legMask).map((leg) => ({ seatIndex, leg, orderId: `order-${i}`, userId: hold.userId })),
        ),
      );
      await redis().del(`{ev:${eventId}}:sold`);
      expect(await store().rebuild(eventId, ledger)).to.deep.equal({ soldSeatLegs: ledger.length });
      const after = await store().seatStates(eventId);
      expect(after.width).to.equal(width);
      expect(after.sold.equals(before.sold)).to.equal(true);
      expect(after.held.every((byte) => byte === 0)).to.equal(true);
      expect((await store().getHold(eventId, live.id))?.state).to.equal("released");

      // Loading the event afresh from the same ledger gives the same bytes too.
      const reloaded = newEventId();
      await store().loadEvent(reloaded, seats, legs, rowsOf(seats, 4), ledger);
      expect((await store().seatStates(reloaded)).sold.equals(before.sold)).to.equal(true);
      expect(await store().releaseSold(reloaded, "order-3")).to.deep.equal({
        kind: "ok",
        released: [{ seatIndex: 11, legMask: legMask(last, legs) }],
      });
    });
  });
}

describe("HoldStore seat width", () => {
  const { store, redis } = useStore();

  it("keeps one byte a seat for an event and a trip of up to 8 legs, as before trips could be longer", async () => {
    for (const legs of [1, 8]) {
      const eventId = newEventId();
      await store().loadEvent(eventId, 5, legs, rowsOf(5, 5));
      const hold = await store().hold({
        eventId,
        userId: "u",
        seatIndexes: [2],
        legs: { fromLeg: 0, toLeg: legs },
        policy,
      });
      if (hold.kind !== "held") throw new Error(`hold gave ${hold.kind}`);
      const states = await store().seatStates(eventId);
      expect(states.width).to.equal(1);
      expect([...states.held]).to.deep.equal([0, 0, legMask(0, legs), 0, 0]);
    }
  });

  it("holds a one-leg event's seats with as many Redis calls as before seats could be wider", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 20, 1, rowsOf(20, 10));
    const calls = async (): Promise<Record<string, number>> => {
      const stats = await redis().info("commandstats");
      return Object.fromEntries(
        [...stats.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)].map(([, name, count]) => [name, Number(count)]),
      );
    };
    const before = await calls();
    const outcome = await store().hold({
      eventId,
      userId: "u",
      seatIndexes: [3, 4, 5, 6],
      legs: { fromLeg: 0, toLeg: 1 },
      policy,
    });
    const after = await calls();
    expect(outcome.kind).to.equal("held");
    const inScript = Object.entries(after)
      .filter(([name]) => name !== "evalsha" && name !== "info")
      .reduce((sum, [name, count]) => sum + count - (before[name] ?? 0), 0);
    // The shape (1), the hold key (1), held and sold per seat (2 × 4), the cap's held and sold counts (2),
    // the new held byte per seat (4), the clock, the record, the expiry, the user's count, the stream (5).
    expect(inScript).to.equal(1 + 1 + 2 * 4 + 2 + 4 + 5);
    expect(after.evalsha).to.equal((before.evalsha ?? 0) + 1);
  });

  it("reads an event loaded before seats had a width (no `width` in its meta) as one byte a seat, and keeps it", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 5, 4, rowsOf(5, 5));
    await redis().hdel(metaKey(eventId), "width");
    const hold = await store().hold({ eventId, userId: "u", seatIndexes: [1], legs: { fromLeg: 1, toLeg: 3 }, policy });
    if (hold.kind !== "held") throw new Error(`hold gave ${hold.kind}`);
    expect((await store().commit(eventId, hold.hold.id, "o1")).kind).to.equal("ok");
    expect(await store().loadEvent(eventId, 5, 4, rowsOf(5, 5))).to.equal("kept");
    const states = await store().seatStates(eventId);
    expect([states.width, [...states.sold]]).to.deep.equal([1, [0, 0b0110, 0, 0, 0]]);
  });

  it("starts afresh, at the new width, when a loaded event comes back with more legs", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 5, 8, rowsOf(5, 5));
    expect(await store().loadEvent(eventId, 5, 9, rowsOf(5, 5))).to.equal("loaded");
    const states = await store().seatStates(eventId);
    expect([states.width, states.held.length]).to.deep.equal([2, 10]);
  });

  it("refuses to load more legs than 32", async () => {
    const failure = await store()
      .loadEvent(newEventId(), 5, 33, rowsOf(5, 5))
      .then(
        () => undefined,
        (error: Error) => error,
      );
    expect(failure).to.be.instanceOf(RangeError);
  });
});
