import { expect } from "chai";
import { changesKey, metaKey } from "../../src/store/keys.js";
import { newEventId, policy, rowsOf, useStore } from "../support/events.js";

const whole = { fromLeg: 0, toLeg: 1 };

describe("HoldStore.closeSales", () => {
  const { store, redis } = useStore();

  async function loaded(seatCount = 20) {
    const eventId = newEventId();
    await store().loadEvent(eventId, seatCount, 1, rowsOf(seatCount, 10));
    return eventId;
  }

  async function held(eventId: string, userId: string, seatIndexes: number[]) {
    const outcome = await store().hold({ eventId, userId, seatIndexes, legs: whole, policy });
    if (outcome.kind !== "held") throw new Error(`hold gave ${outcome.kind}`);
    return outcome.hold;
  }

  it("refuses holds, best-available, extensions and commits in their own scripts once closed", async () => {
    const eventId = await loaded();
    const live = await held(eventId, "u1", [0]);
    const sold = await held(eventId, "u1", [1]);
    expect((await store().commit(eventId, sold.id, "order-1")).kind).to.equal("ok");
    await store().closeSales(eventId);

    expect(await store().hold({ eventId, userId: "u2", seatIndexes: [5], legs: whole, policy })).to.deep.equal({
      kind: "sales-closed",
    });
    const places = { sectionId: "ga", run: { firstSeatIndex: 10, seatCount: 10 }, quantity: 2 };
    expect(
      await store().hold({ eventId, userId: "u2", seatIndexes: [], places: [places], legs: whole, policy }),
    ).to.deep.equal({ kind: "sales-closed" });
    expect(
      await store().holdBestAvailable({
        eventId,
        userId: "u2",
        quantity: 2,
        requireAdjacent: true,
        legs: whole,
        policy,
      }),
    ).to.deep.equal({ kind: "sales-closed" });
    expect((await store().extend(eventId, live.id, "u1", 60_000)).kind).to.equal("sales-closed");
    expect((await store().commit(eventId, live.id, "order-2")).kind).to.equal("sales-closed");
    // A commit retried for the order it was made for answers it: that sale happened before the closure.
    const retried = await store().commit(eventId, sold.id, "order-1");
    expect(retried.kind).to.equal("ok");
    // Another hold's id, or another user's, is still not found; refunds still work.
    expect((await store().extend(eventId, live.id, "u2", 60_000)).kind).to.equal("not-found");
    expect(await store().releaseSold(eventId, "order-1")).to.deep.equal({
      kind: "ok",
      released: [{ seatIndex: 1, legMask: 1 }],
    });
  });

  it("releases every live hold, in batches until none is left, and a repeat releases nothing", async () => {
    const eventId = await loaded(30);
    const holds = [];
    for (let seat = 0; seat < 25; seat++) holds.push(await held(eventId, `u${seat}`, [seat]));
    const released = await store().release(eventId, holds[0]?.id ?? "", "u0");
    expect(released.kind).to.equal("ok");

    expect(await store().closeSales(eventId, 10)).to.deep.equal({ released: 10, left: 14 });
    expect(await store().closeSales(eventId, 10)).to.deep.equal({ released: 10, left: 4 });
    expect(await store().closeSales(eventId, 10)).to.deep.equal({ released: 4, left: 0 });
    expect(await store().closeSales(eventId, 10)).to.deep.equal({ released: 0, left: 0 });
    expect([...(await store().seatStates(eventId)).held].every((byte) => byte === 0)).to.equal(true);
    for (const hold of holds) expect((await store().getHold(eventId, hold.id))?.state).to.equal("released");
    // Watchers learn each released hold from the change stream, as from any release.
    const kinds = (await redis().xrange(changesKey(eventId), "-", "+")).map(([, fields]) => fields[1]);
    expect(kinds.filter((kind) => kind === "released")).to.have.length(25);
  });

  it("stays closed through a load of the same shape or a new one, and through a rebuild", async () => {
    const eventId = await loaded();
    await store().closeSales(eventId);
    const closedAt = await redis().hget(metaKey(eventId), "closed");
    expect(await store().loadEvent(eventId, 20, 1, rowsOf(20, 10))).to.equal("kept");
    expect((await store().hold({ eventId, userId: "u", seatIndexes: [0], legs: whole, policy })).kind).to.equal(
      "sales-closed",
    );
    expect(await store().loadEvent(eventId, 30, 1, rowsOf(30, 10))).to.equal("loaded");
    expect((await store().hold({ eventId, userId: "u", seatIndexes: [0], legs: whole, policy })).kind).to.equal(
      "sales-closed",
    );
    await store().rebuild(eventId, [{ seatIndex: 3, leg: 0, orderId: "o", userId: "u" }]);
    expect((await store().hold({ eventId, userId: "u", seatIndexes: [0], legs: whole, policy })).kind).to.equal(
      "sales-closed",
    );
    expect(await redis().hget(metaKey(eventId), "closed")).to.equal(closedAt);
    expect(await store().isClosed(eventId)).to.equal(true);
  });

  it("closes an event never loaded: the closure alone is kept, and the event loads closed", async () => {
    const eventId = newEventId();
    expect(await store().closeSales(eventId)).to.deep.equal({ released: 0, left: 0 });
    expect(await store().hold({ eventId, userId: "u", seatIndexes: [0], legs: whole, policy })).to.deep.equal({
      kind: "sales-closed",
    });
    expect(await store().loadEvent(eventId, 20, 1, rowsOf(20, 10))).to.equal("loaded");
    expect((await store().hold({ eventId, userId: "u", seatIndexes: [0], legs: whole, policy })).kind).to.equal(
      "sales-closed",
    );
  });

  it("closes an event in the same step as a load that is told it is closed, whatever Redis had", async () => {
    const fresh = newEventId();
    expect(await store().loadEvent(fresh, 20, 1, rowsOf(20, 10), [], true)).to.equal("loaded");
    expect((await store().hold({ eventId: fresh, userId: "u", seatIndexes: [0], legs: whole, policy })).kind).to.equal(
      "sales-closed",
    );
    const open = await loaded();
    expect(await store().isClosed(open)).to.equal(false);
    expect(await store().loadEvent(open, 20, 1, rowsOf(20, 10), [], true)).to.equal("kept");
    expect(await store().isClosed(open)).to.equal(true);
  });
});
