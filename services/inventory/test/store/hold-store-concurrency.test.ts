import { expect } from "chai";
import type { Redis } from "ioredis";
import type { HoldRecord } from "../../src/domain/holds.js";
import { legMask } from "../../src/domain/legs.js";
import { HoldStore } from "../../src/store/hold-store.js";
import { connect, newEventId, rowsOf, useStore } from "../support/events.js";

const SEATS = 100;
const LEGS = 4;

describe("HoldStore under concurrent holds", () => {
  const { store } = useStore();
  const connections: Redis[] = [];

  after(async () => {
    await Promise.all(connections.map((c) => c.quit()));
  });

  it("never holds a seat-leg twice across 2,000 overlapping attempts on 40 connections", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, SEATS, LEGS, rowsOf(SEATS, 10));
    for (let i = 0; i < 40; i++) connections.push(await connect());
    const stores = connections.map((c) => new HoldStore(c));
    const policy = { maxSeatsPerUser: 0, holdTtlMs: 60_000, extensions: 0 };
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const attempts = Array.from({ length: 2000 }, (_, i) => {
      const first = random(SEATS - 3);
      const seatIndexes = [...new Set(Array.from({ length: 1 + random(4) }, () => first + random(4)))];
      const fromLeg = random(LEGS);
      return { i, seatIndexes, legs: { fromLeg, toLeg: fromLeg + 1 + random(LEGS - fromLeg) } };
    });
    const won: HoldRecord[] = [];
    let taken = 0;
    await Promise.all(
      attempts.map(async ({ i, seatIndexes, legs }) => {
        const s = stores[i % stores.length] as HoldStore;
        const outcome = await s.hold({ eventId, userId: `u${i % 50}`, seatIndexes, legs, policy });
        if (outcome.kind === "held") {
          won.push(outcome.hold);
          // A third of the winners buy, so the end state mixes held and sold.
          if (i % 3 === 0) expect((await s.commit(eventId, outcome.hold.id, `o${i}`)).kind).to.equal("ok");
        } else {
          expect(outcome.kind).to.equal("taken");
          taken++;
        }
      }),
    );
    expect(won.length + taken).to.equal(2000);
    expect(won.length).to.be.greaterThan(50);

    const owner = new Map<string, string>();
    for (const hold of won) {
      for (const seat of hold.seatIndexes) {
        for (let leg = 0; leg < LEGS; leg++) {
          if (!(hold.legMask & (1 << leg))) continue;
          const key = `${seat}/${leg}`;
          expect(owner.get(key), `seat ${seat} leg ${leg}`).to.equal(undefined);
          owner.set(key, hold.id);
        }
      }
    }
    const { held, sold } = await store().seatStates(eventId);
    for (let leg = 0; leg < LEGS; leg++) {
      const bit = legMask(leg, leg + 1);
      let h = 0;
      let d = 0;
      let free = 0;
      for (let seat = 0; seat < SEATS; seat++) {
        const isHeld = ((held[seat] ?? 0) & bit) !== 0;
        const isSold = ((sold[seat] ?? 0) & bit) !== 0;
        expect(isHeld && isSold, `seat ${seat} leg ${leg} both held and sold`).to.equal(false);
        if (isHeld) h++;
        else if (isSold) d++;
        else free++;
        expect(isHeld || isSold).to.equal(owner.has(`${seat}/${leg}`));
      }
      expect(h + d + free).to.equal(SEATS);
    }
  });
});
