import { expect } from "chai";
import type { HoldPolicy } from "../../src/domain/holds.js";
import type { HoldRequest } from "../../src/store/hold-store.js";
import { eventTag } from "../../src/store/keys.js";
import { newEventId, policy, rowsOf, sleep, useStore } from "../support/events.js";

/**
 * The per-user cap on a trip is per leg: a seat counts once on each leg the buyer holds or bought it on,
 * and a hold passes when, on every leg of its ride, the buyer's seats there plus the seats asked for stay
 * within the cap. Dhaka → Faridpur → Jessore → Benapole → Kolkata: legs 0..3.
 */
describe("HoldStore per-user cap on a trip", () => {
  const { store, redis } = useStore();
  const capOf = (maxSeatsPerUser: number): HoldPolicy => ({ ...policy, maxSeatsPerUser });

  async function trip(legs = 4): Promise<string> {
    const eventId = newEventId();
    await store().loadEvent(eventId, 40, legs, rowsOf(40, 4));
    return eventId;
  }

  async function held(request: HoldRequest) {
    const outcome = await store().hold(request);
    if (outcome.kind !== "held") throw new Error(`hold gave ${JSON.stringify(outcome)}`);
    return outcome.hold;
  }

  const counts = async (eventId: string, which: "user-held" | "user-sold") =>
    redis().hgetall(`${eventTag(eventId)}:${which}`);

  it("counts a seat held on two disjoint rides once, so a buyer at the cap rides on in the same seat", async () => {
    const eventId = await trip();
    const dhakaJessore = await held({
      eventId,
      userId: "rahim",
      seatIndexes: [6],
      legs: { fromLeg: 0, toLeg: 2 },
      policy: capOf(1),
    });
    const jessoreKolkata = await held({
      eventId,
      userId: "rahim",
      seatIndexes: [6],
      legs: { fromLeg: 2, toLeg: 4 },
      policy: capOf(1),
    });
    expect(await counts(eventId, "user-held")).to.deep.equal({
      "rahim/0": "1",
      "rahim/1": "1",
      "rahim/2": "1",
      "rahim/3": "1",
    });
    await store().commit(eventId, dhakaJessore.id, "o1");
    await store().commit(eventId, jessoreKolkata.id, "o2");
    expect(await counts(eventId, "user-held")).to.deep.equal({});
    expect(
      await store().hold({
        eventId,
        userId: "rahim",
        seatIndexes: [7],
        legs: { fromLeg: 1, toLeg: 2 },
        policy: capOf(1),
      }),
    ).to.deep.equal({ kind: "cap-exceeded", heldSeats: 0, soldSeats: 1, cap: 1, requested: 1, leg: 1 });
  });

  it("refuses a hold when any one leg of its ride would pass the cap, naming the fullest leg and its counts", async () => {
    const eventId = await trip();
    const cap = capOf(3);
    const front = await held({
      eventId,
      userId: "u",
      seatIndexes: [0, 1],
      legs: { fromLeg: 0, toLeg: 1 },
      policy: cap,
    });
    await store().commit(eventId, front.id, "o1");
    await held({ eventId, userId: "u", seatIndexes: [2], legs: { fromLeg: 0, toLeg: 4 }, policy: cap });
    await held({ eventId, userId: "u", seatIndexes: [3], legs: { fromLeg: 2, toLeg: 4 }, policy: cap });
    // Leg 0 carries 3 of u's seats (2 bought, 1 held), legs 2 and 3 carry 2, leg 1 only 1.
    expect(
      await store().hold({ eventId, userId: "u", seatIndexes: [4], legs: { fromLeg: 0, toLeg: 2 }, policy: cap }),
    ).to.deep.equal({ kind: "cap-exceeded", heldSeats: 1, soldSeats: 2, cap: 3, requested: 1, leg: 0 });
    expect(
      await store().hold({ eventId, userId: "u", seatIndexes: [4, 5], legs: { fromLeg: 1, toLeg: 4 }, policy: cap }),
    ).to.deep.equal({ kind: "cap-exceeded", heldSeats: 2, soldSeats: 0, cap: 3, requested: 2, leg: 2 });
    // Within the cap on every leg of the ride: Faridpur → Jessore has room for two more.
    const middle = await held({
      eventId,
      userId: "u",
      seatIndexes: [4, 5],
      legs: { fromLeg: 1, toLeg: 2 },
      policy: cap,
    });
    expect(middle.seatIndexes).to.deep.equal([4, 5]);
    // Another buyer's cap is their own.
    expect(
      (await held({ eventId, userId: "v", seatIndexes: [8, 9, 10], legs: { fromLeg: 0, toLeg: 4 }, policy: cap })).id,
    ).to.be.a("string");
  });

  it("gives each leg's count back when a hold is released or swept, and when bought seats are refunded", async () => {
    const eventId = await trip();
    const cap = capOf(2);
    const first = await held({
      eventId,
      userId: "u",
      seatIndexes: [0, 1],
      legs: { fromLeg: 1, toLeg: 3 },
      policy: cap,
    });
    await store().release(eventId, first.id, "u");
    const short = { ...cap, holdTtlMs: 10 };
    await held({ eventId, userId: "u", seatIndexes: [2, 3], legs: { fromLeg: 0, toLeg: 2 }, policy: short });
    await sleep(30);
    expect(await store().sweep(eventId)).to.have.length(1);
    expect(await counts(eventId, "user-held")).to.deep.equal({});
    const bought = await held({
      eventId,
      userId: "u",
      seatIndexes: [4, 5],
      legs: { fromLeg: 0, toLeg: 4 },
      policy: cap,
    });
    await store().commit(eventId, bought.id, "o1");
    expect(await counts(eventId, "user-sold")).to.deep.equal({ "u/0": "2", "u/1": "2", "u/2": "2", "u/3": "2" });
    await store().releaseSold(eventId, "o1", [5]);
    expect(await counts(eventId, "user-sold")).to.deep.equal({ "u/0": "1", "u/1": "1", "u/2": "1", "u/3": "1" });
    expect(
      (await held({ eventId, userId: "u", seatIndexes: [6], legs: { fromLeg: 0, toLeg: 4 }, policy: cap })).id,
    ).to.be.a("string");
    await store().releaseSold(eventId, "o1");
    expect(await counts(eventId, "user-sold")).to.deep.equal({});
  });

  it("counts the ledger's sales per leg when the event is rebuilt or loaded, one seat once per leg", async () => {
    const eventId = await trip();
    // One seat bought in two orders over disjoint rides, and a second seat on one leg.
    const ledger = [
      { seatIndex: 0, leg: 0, orderId: "o1", userId: "x" },
      { seatIndex: 0, leg: 1, orderId: "o1", userId: "x" },
      { seatIndex: 0, leg: 2, orderId: "o2", userId: "x" },
      { seatIndex: 0, leg: 3, orderId: "o2", userId: "x" },
      { seatIndex: 1, leg: 3, orderId: "o2", userId: "x" },
    ];
    const expected = { "x/0": "1", "x/1": "1", "x/2": "1", "x/3": "2" };
    await store().rebuild(eventId, ledger);
    expect(await counts(eventId, "user-sold")).to.deep.equal(expected);
    const loaded = newEventId();
    await store().loadEvent(loaded, 40, 4, rowsOf(40, 4), ledger);
    expect(await counts(loaded, "user-sold")).to.deep.equal(expected);
    expect(
      await store().hold({
        eventId: loaded,
        userId: "x",
        seatIndexes: [5],
        legs: { fromLeg: 2, toLeg: 4 },
        policy: capOf(2),
      }),
    ).to.deep.equal({ kind: "cap-exceeded", heldSeats: 0, soldSeats: 2, cap: 2, requested: 1, leg: 3 });
    expect(
      (await held({ eventId: loaded, userId: "x", seatIndexes: [5], legs: { fromLeg: 0, toLeg: 3 }, policy: capOf(2) }))
        .seatIndexes,
    ).to.deep.equal([5]);
  });

  it("caps per leg on a 32-leg train, leg 31 included", async () => {
    const eventId = await trip(32);
    await held({ eventId, userId: "u", seatIndexes: [0], legs: { fromLeg: 31, toLeg: 32 }, policy: capOf(1) });
    expect(
      await store().hold({
        eventId,
        userId: "u",
        seatIndexes: [1],
        legs: { fromLeg: 20, toLeg: 32 },
        policy: capOf(1),
      }),
    ).to.deep.equal({ kind: "cap-exceeded", heldSeats: 1, soldSeats: 0, cap: 1, requested: 1, leg: 31 });
    expect(
      (await held({ eventId, userId: "u", seatIndexes: [1], legs: { fromLeg: 0, toLeg: 31 }, policy: capOf(1) })).id,
    ).to.be.a("string");
  });

  it("keeps one count per buyer on an event, under the buyer's id, as before counts were per leg", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 10, 1, rowsOf(10, 5));
    await held({ eventId, userId: "u", seatIndexes: [0, 1], legs: { fromLeg: 0, toLeg: 1 }, policy: capOf(3) });
    expect(await counts(eventId, "user-held")).to.deep.equal({ u: "2" });
    expect(
      await store().hold({
        eventId,
        userId: "u",
        seatIndexes: [2, 3],
        legs: { fromLeg: 0, toLeg: 1 },
        policy: capOf(3),
      }),
    ).to.deep.equal({ kind: "cap-exceeded", heldSeats: 2, soldSeats: 0, cap: 3, requested: 2, leg: 0 });
  });
});
