import { expect } from "chai";
import { legMask } from "../../src/domain/legs.js";
import { changesKey } from "../../src/store/keys.js";
import { newEventId, policy, rowsOf, sleep, useStore } from "../support/events.js";

const whole = { fromLeg: 0, toLeg: 1 };

describe("HoldStore.hold", () => {
  const { store, redis } = useStore();

  it("holds all the named seats and appends the change to the event's stream", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 20, 1, rowsOf(20, 10));
    const outcome = await store().hold({ eventId, userId: "u1", seatIndexes: [3, 4], legs: whole, policy });
    expect(outcome.kind).to.equal("held");
    const entries = await redis().xrange(changesKey(eventId), "-", "+");
    // The load says "rebuilt" (watchers forget what they knew), then the hold.
    expect(entries.map(([, fields]) => fields[1])).to.deep.equal(["rebuilt", "held"]);
    expect(entries[1]?.[1]).to.include.members(["held", "3,4"]);
  });

  it("holds nothing when one seat is taken, and names each conflicting seat", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 20, 1, rowsOf(20, 10));
    await store().hold({ eventId, userId: "u1", seatIndexes: [5, 7], legs: whole, policy });
    const outcome = await store().hold({ eventId, userId: "u2", seatIndexes: [4, 5, 6, 7], legs: whole, policy });
    expect(outcome).to.deep.equal({
      kind: "taken",
      conflicts: [
        { seatIndex: 5, heldLegs: [0], soldLegs: [] },
        { seatIndex: 7, heldLegs: [0], soldLegs: [] },
      ],
    });
    const again = await store().hold({ eventId, userId: "u2", seatIndexes: [4, 6], legs: whole, policy });
    expect(again.kind).to.equal("held");
  });

  it("refuses a seat index outside the map or named twice", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 5, 1, rowsOf(5, 5));
    expect(await store().hold({ eventId, userId: "u1", seatIndexes: [5], legs: whole, policy })).to.deep.equal({
      kind: "bad-seat",
      seatIndex: 5,
    });
    expect(await store().hold({ eventId, userId: "u1", seatIndexes: [1, 1], legs: whole, policy })).to.deep.equal({
      kind: "bad-seat",
      seatIndex: 1,
    });
  });

  it("answers not-loaded for an event never loaded", async () => {
    expect(
      await store().hold({ eventId: newEventId(), userId: "u1", seatIndexes: [0], legs: whole, policy }),
    ).to.deep.equal({ kind: "not-loaded" });
  });
});

describe("HoldStore on a trip with stops", () => {
  const { store } = useStore();
  // Dhaka → Faridpur → Jessore → Benapole → Kolkata: legs 0..3.
  const dhakaJessore = { fromLeg: 0, toLeg: 2 };
  const jessoreKolkata = { fromLeg: 2, toLeg: 4 };
  const seat7A = 6;

  it("sells one seat to two buyers on disjoint legs and refuses overlapping rides naming the taken legs", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 40, 4, rowsOf(40, 4));
    const first = await store().hold({ eventId, userId: "rahim", seatIndexes: [seat7A], legs: dhakaJessore, policy });
    const second = await store().hold({
      eventId,
      userId: "karim",
      seatIndexes: [seat7A],
      legs: jessoreKolkata,
      policy,
    });
    if (first.kind !== "held" || second.kind !== "held") throw new Error("both legs should hold");
    expect((await store().commit(eventId, first.hold.id, "order-1")).kind).to.equal("ok");
    expect((await store().commit(eventId, second.hold.id, "order-2")).kind).to.equal("ok");

    const whole = await store().hold({
      eventId,
      userId: "u3",
      seatIndexes: [seat7A],
      legs: { fromLeg: 0, toLeg: 4 },
      policy,
    });
    expect(whole).to.deep.equal({
      kind: "taken",
      conflicts: [{ seatIndex: seat7A, heldLegs: [], soldLegs: [0, 1, 2, 3] }],
    });
    const faridpurBenapole = await store().hold({
      eventId,
      userId: "u3",
      seatIndexes: [seat7A],
      legs: { fromLeg: 1, toLeg: 3 },
      policy,
    });
    expect(faridpurBenapole).to.deep.equal({
      kind: "taken",
      conflicts: [{ seatIndex: seat7A, heldLegs: [], soldLegs: [1, 2] }],
    });
    const benapoleKolkata = await store().hold({
      eventId,
      userId: "u3",
      seatIndexes: [seat7A + 1],
      legs: { fromLeg: 3, toLeg: 4 },
      policy,
    });
    expect(benapoleKolkata.kind).to.equal("held");
    const { sold } = await store().seatStates(eventId);
    expect(sold[seat7A]).to.equal(0b1111);
  });

  it("refuses a leg range beyond the event's legs", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 4, 4, rowsOf(4, 4));
    expect(
      await store().hold({ eventId, userId: "u", seatIndexes: [0], legs: { fromLeg: 3, toLeg: 5 }, policy }),
    ).to.deep.equal({ kind: "bad-legs", legCount: 4 });
  });
});

describe("HoldStore per-user cap", () => {
  const { store } = useStore();
  const capped = { ...policy, maxSeatsPerUser: 4 };

  it("counts live holds and sold seats, and answers with the counts", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 20, 1, rowsOf(20, 10));
    const bought = await store().hold({ eventId, userId: "u1", seatIndexes: [0, 1], legs: whole, policy: capped });
    if (bought.kind !== "held") throw new Error("hold failed");
    await store().commit(eventId, bought.hold.id, "o1");
    await store().hold({ eventId, userId: "u1", seatIndexes: [2], legs: whole, policy: capped });
    const over = await store().hold({ eventId, userId: "u1", seatIndexes: [3, 4], legs: whole, policy: capped });
    expect(over).to.deep.equal({ kind: "cap-exceeded", heldSeats: 1, soldSeats: 2, cap: 4, requested: 2, leg: 0 });
    expect(
      (await store().hold({ eventId, userId: "u1", seatIndexes: [3], legs: whole, policy: capped })).kind,
    ).to.equal("held");
    expect(
      (await store().hold({ eventId, userId: "u2", seatIndexes: [4, 5], legs: whole, policy: capped })).kind,
    ).to.equal("held");
  });

  it("gives the seats back to the cap when a hold is released or sold seats are refunded", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 20, 1, rowsOf(20, 10));
    const a = await store().hold({ eventId, userId: "u1", seatIndexes: [0, 1], legs: whole, policy: capped });
    const b = await store().hold({ eventId, userId: "u1", seatIndexes: [2, 3], legs: whole, policy: capped });
    if (a.kind !== "held" || b.kind !== "held") throw new Error("hold failed");
    await store().commit(eventId, a.hold.id, "o1");
    await store().release(eventId, b.hold.id, "u1");
    await store().releaseSold(eventId, "o1");
    expect(
      (await store().hold({ eventId, userId: "u1", seatIndexes: [4, 5, 6, 7], legs: whole, policy: capped })).kind,
    ).to.equal("held");
  });
});

describe("HoldStore.extend", () => {
  const { store } = useStore();

  it("adds one hold duration to a live hold of the same user until no extensions are left", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 5, 1, rowsOf(5, 5));
    const held = await store().hold({
      eventId,
      userId: "u1",
      seatIndexes: [0],
      legs: whole,
      policy: { ...policy, extensions: 1 },
    });
    if (held.kind !== "held") throw new Error("hold failed");
    const extended = await store().extend(eventId, held.hold.id, "u1", policy.holdTtlMs);
    if (extended.kind !== "ok") throw new Error(`extend gave ${extended.kind}`);
    expect(extended.hold.expiresAtMs).to.equal(held.hold.expiresAtMs + policy.holdTtlMs);
    expect(extended.hold.extensionsLeft).to.equal(0);
    expect((await store().extend(eventId, held.hold.id, "u1", policy.holdTtlMs)).kind).to.equal("no-extensions-left");
  });

  it("answers not-found for another user's hold and not-live for a released one", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 5, 1, rowsOf(5, 5));
    const held = await store().hold({ eventId, userId: "u1", seatIndexes: [0], legs: whole, policy });
    if (held.kind !== "held") throw new Error("hold failed");
    expect((await store().extend(eventId, held.hold.id, "u2", 1000)).kind).to.equal("not-found");
    await store().release(eventId, held.hold.id, "u1");
    expect((await store().extend(eventId, held.hold.id, "u1", 1000)).kind).to.equal("not-live");
  });

  it("answers not-live for a lapsed hold the sweeper has not reached yet", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 5, 1, rowsOf(5, 5));
    const held = await store().hold({
      eventId,
      userId: "u1",
      seatIndexes: [0],
      legs: whole,
      policy: { ...policy, holdTtlMs: 20 },
    });
    if (held.kind !== "held") throw new Error("hold failed");
    await sleep(40);
    expect((await store().extend(eventId, held.hold.id, "u1", 1000)).kind).to.equal("not-live");
  });
});

describe("HoldStore.release", () => {
  const { store } = useStore();

  it("frees the seats at once and is idempotent", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 5, 1, rowsOf(5, 5));
    const held = await store().hold({ eventId, userId: "u1", seatIndexes: [0, 1], legs: whole, policy });
    if (held.kind !== "held") throw new Error("hold failed");
    const first = await store().release(eventId, held.hold.id, "u1");
    const second = await store().release(eventId, held.hold.id, "u1");
    expect(first.kind === "ok" && first.hold.state).to.equal("released");
    expect(second.kind === "ok" && second.hold.state).to.equal("released");
    expect((await store().hold({ eventId, userId: "u2", seatIndexes: [0, 1], legs: whole, policy })).kind).to.equal(
      "held",
    );
  });

  it("refuses to release a committed hold, and another user's hold is not found", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 5, 1, rowsOf(5, 5));
    const held = await store().hold({ eventId, userId: "u1", seatIndexes: [0], legs: whole, policy });
    if (held.kind !== "held") throw new Error("hold failed");
    expect((await store().release(eventId, held.hold.id, "u2")).kind).to.equal("not-found");
    await store().commit(eventId, held.hold.id, "o1");
    expect((await store().release(eventId, held.hold.id, "u1")).kind).to.equal("committed");
  });
});

describe("HoldStore.commit", () => {
  const { store } = useStore();

  it("marks the hold's seats sold for its legs and is idempotent for the same order", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 5, 3, rowsOf(5, 5));
    const held = await store().hold({
      eventId,
      userId: "u1",
      seatIndexes: [1, 2],
      legs: { fromLeg: 1, toLeg: 3 },
      policy,
    });
    if (held.kind !== "held") throw new Error("hold failed");
    const first = await store().commit(eventId, held.hold.id, "o1");
    const second = await store().commit(eventId, held.hold.id, "o1");
    expect(first).to.deep.equal(second);
    expect(first.kind === "ok" && first.hold.orderId).to.equal("o1");
    const { held: h, sold } = await store().seatStates(eventId);
    expect([...sold]).to.deep.equal([0, 0b110, 0b110, 0, 0]);
    expect([...h]).to.deep.equal([0, 0, 0, 0, 0]);
  });

  it("fails for another order, a released hold, an expired hold and an unknown hold", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 5, 1, rowsOf(5, 5));
    const a = await store().hold({ eventId, userId: "u1", seatIndexes: [0], legs: whole, policy });
    const b = await store().hold({ eventId, userId: "u1", seatIndexes: [1], legs: whole, policy });
    const c = await store().hold({
      eventId,
      userId: "u1",
      seatIndexes: [2],
      legs: whole,
      policy: { ...policy, holdTtlMs: 20 },
    });
    if (a.kind !== "held" || b.kind !== "held" || c.kind !== "held") throw new Error("hold failed");
    await store().commit(eventId, a.hold.id, "o1");
    expect((await store().commit(eventId, a.hold.id, "o2")).kind).to.equal("other-order");
    await store().release(eventId, b.hold.id, "u1");
    expect((await store().commit(eventId, b.hold.id, "o1")).kind).to.equal("not-live");
    await sleep(40);
    expect((await store().commit(eventId, c.hold.id, "o1")).kind).to.equal("not-live");
    expect((await store().commit(eventId, "no-such-hold", "o1")).kind).to.equal("not-found");
  });
});

describe("HoldStore.releaseSold", () => {
  const { store } = useStore();

  it("returns named or all sold seats of an order to sale, once", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 5, 2, rowsOf(5, 5));
    const held = await store().hold({
      eventId,
      userId: "u1",
      seatIndexes: [0, 1, 2],
      legs: { fromLeg: 0, toLeg: 2 },
      policy,
    });
    if (held.kind !== "held") throw new Error("hold failed");
    await store().commit(eventId, held.hold.id, "o1");
    expect(await store().releaseSold(eventId, "o1", [1])).to.deep.equal({
      kind: "ok",
      released: [{ seatIndex: 1, legMask: 3 }],
    });
    expect(await store().releaseSold(eventId, "o1")).to.deep.equal({
      kind: "ok",
      released: [
        { seatIndex: 0, legMask: 3 },
        { seatIndex: 2, legMask: 3 },
      ],
    });
    expect(await store().releaseSold(eventId, "o1")).to.deep.equal({ kind: "ok", released: [] });
    expect(await store().releaseSold(eventId, "o1", [4])).to.deep.equal({ kind: "not-in-order", seatIndex: 4 });
    expect(await store().releaseSold(eventId, "o9")).to.deep.equal({ kind: "not-found" });
    expect([...(await store().seatStates(eventId)).sold]).to.deep.equal([0, 0, 0, 0, 0]);
  });
});

describe("HoldStore.sweep", () => {
  const { store } = useStore();

  it("expires each lapsed hold exactly once with two sweepers racing", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 200, 1, rowsOf(200, 20));
    const short = { ...policy, maxSeatsPerUser: 0, holdTtlMs: 10 };
    const ids: string[] = [];
    for (let seat = 0; seat < 150; seat++) {
      const held = await store().hold({
        eventId,
        userId: `u${seat % 7}`,
        seatIndexes: [seat],
        legs: whole,
        policy: short,
      });
      if (held.kind === "held") ids.push(held.hold.id);
    }
    const live = await store().hold({ eventId, userId: "keeper", seatIndexes: [199], legs: whole, policy });
    await sleep(30);
    const swept: string[] = [];
    const sweeper = async () => {
      for (;;) {
        const batch = await store().sweep(eventId, 7);
        if (batch.length === 0) return;
        swept.push(...batch.map((e) => e.holdId));
      }
    };
    await Promise.all([sweeper(), sweeper()]);
    expect(swept).to.have.length(150);
    expect(new Set(swept)).to.deep.equal(new Set(ids));
    const { held } = await store().seatStates(eventId);
    expect(held.subarray(0, 199).every((b) => b === 0)).to.equal(true);
    expect(held[199]).to.equal(1);
    expect(live.kind === "held" && (await store().getHold(eventId, live.hold.id))?.state).to.equal("active");
    expect((await store().getHold(eventId, ids[0] as string))?.state).to.equal("expired");
  });
});

describe("HoldStore.holdBestAvailable", () => {
  const { store } = useStore();

  it("holds adjacent seats in the front-most row that has them", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 30, 1, rowsOf(30, 10));
    await store().hold({ eventId, userId: "u0", seatIndexes: [2, 6], legs: whole, policy });
    const outcome = await store().holdBestAvailable({
      eventId,
      userId: "u1",
      quantity: 4,
      legs: whole,
      policy,
      requireAdjacent: true,
    });
    expect(outcome.kind === "held" && outcome.hold.seatIndexes).to.deep.equal([10, 11, 12, 13]);
    const three = await store().holdBestAvailable({
      eventId,
      userId: "u2",
      quantity: 3,
      legs: whole,
      policy,
      requireAdjacent: true,
    });
    expect(three.kind === "held" && three.hold.seatIndexes).to.deep.equal([3, 4, 5]);
  });

  it("stays within the given seats and is free per leg on a trip", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 20, 2, rowsOf(20, 5));
    await store().hold({ eventId, userId: "u0", seatIndexes: [10, 11], legs: { fromLeg: 0, toLeg: 1 }, policy });
    const section = [{ firstSeatIndex: 10, seatCount: 7 }];
    const outcome = await store().holdBestAvailable({
      eventId,
      userId: "u1",
      quantity: 2,
      legs: { fromLeg: 1, toLeg: 2 },
      policy,
      requireAdjacent: true,
      withinRuns: section,
    });
    expect(outcome.kind === "held" && outcome.hold.seatIndexes).to.deep.equal([10, 11]);
  });

  it("falls back to scattered seats unless adjacency is required, and answers no-seats-free when too few are free", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 6, 1, rowsOf(6, 3));
    await store().hold({ eventId, userId: "u0", seatIndexes: [1, 4], legs: whole, policy });
    expect(
      await store().holdBestAvailable({
        eventId,
        userId: "u1",
        quantity: 3,
        legs: whole,
        policy,
        requireAdjacent: true,
      }),
    ).to.deep.equal({ kind: "no-seats-free" });
    const scattered = await store().holdBestAvailable({
      eventId,
      userId: "u1",
      quantity: 3,
      legs: whole,
      policy,
      requireAdjacent: false,
    });
    expect(scattered.kind === "held" && scattered.hold.seatIndexes).to.deep.equal([0, 2, 3]);
  });
});

describe("HoldStore.loadEvent and rebuild", () => {
  const { store } = useStore();

  it("keeps holds and sales when loaded again with the same shape", async () => {
    const eventId = newEventId();
    expect(await store().loadEvent(eventId, 5, 1, rowsOf(5, 5))).to.equal("loaded");
    await store().hold({ eventId, userId: "u1", seatIndexes: [0], legs: whole, policy });
    expect(await store().loadEvent(eventId, 5, 1, rowsOf(5, 5))).to.equal("kept");
    expect([...(await store().seatStates(eventId)).held]).to.deep.equal([1, 0, 0, 0, 0]);
  });

  it("rebuilds sold seat-legs from the ledger and drops live holds", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 4, 4, rowsOf(4, 4));
    const held = await store().hold({
      eventId,
      userId: "u1",
      seatIndexes: [3],
      legs: { fromLeg: 0, toLeg: 4 },
      policy,
    });
    if (held.kind !== "held") throw new Error("hold failed");
    const ledger = [
      { seatIndex: 0, leg: 0, orderId: "o1", userId: "a" },
      { seatIndex: 0, leg: 1, orderId: "o1", userId: "a" },
      { seatIndex: 0, leg: 2, orderId: "o2", userId: "b" },
      { seatIndex: 2, leg: 3, orderId: "o2", userId: "b" },
    ];
    expect(await store().rebuild(eventId, ledger)).to.deep.equal({ soldSeatLegs: 4 });
    const { held: h, sold } = await store().seatStates(eventId);
    expect([...sold]).to.deep.equal([0b0111, 0, legMask(3, 4), 0]);
    expect([...h]).to.deep.equal([0, 0, 0, 0]);
    expect((await store().getHold(eventId, held.hold.id))?.state).to.equal("released");
    expect(await store().releaseSold(eventId, "o2")).to.deep.equal({
      kind: "ok",
      released: [
        { seatIndex: 0, legMask: 4 },
        { seatIndex: 2, legMask: 8 },
      ],
    });
  });
});
