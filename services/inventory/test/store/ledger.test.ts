import { randomUUID } from "node:crypto";
import { Code, createLogger, type Database, migrateSchema, openDatabase } from "@marquee/mesh";
import { codeOf, failureOf, preconditions, testDatabase } from "@marquee/mesh/testing";
import { expect } from "chai";
import { entities } from "../../src/entities/index.js";
import { migrations } from "../../src/migrations/index.js";
import { recordSale, releaseSale, soldSeatLegs } from "../../src/store/ledger.js";
import { newEventId, policy, rowsOf, useStore } from "../support/events.js";

const logger = createLogger("inventory-test", process.env.LOG_LEVEL ?? "silent");

/** A migrated inventory schema for the tests of the calling `describe`. */
function useLedger(): () => Database {
  let orm: Database | undefined;
  before(async () => {
    const { url, schema } = await testDatabase("inventory");
    orm = await openDatabase({ url, schema, entities, migrations, logger });
    await migrateSchema(orm);
  });
  after(async () => {
    await orm?.close();
  });
  return () => orm as Database;
}

const oneLeg = { fromLeg: 0, toLeg: 1 };

describe("sold-seat ledger", () => {
  const orm = useLedger();

  function sale(eventId: string, orderId: string, seatIndexes: number[], legs = oneLeg) {
    return { eventId, orderId, holdId: randomUUID(), userId: `user-of-${orderId}`, seatIndexes, legs };
  }

  it("refuses a seat-leg sold to another order, naming each seat and leg, and writes nothing", async () => {
    const eventId = newEventId();
    const coach = { fromLeg: 0, toLeg: 4 };
    await orm()
      .em.fork()
      .transactional((em) => recordSale(em, sale(eventId, "order-1", [3, 5], { fromLeg: 1, toLeg: 3 })));

    const error = await failureOf(
      orm()
        .em.fork()
        .transactional((em) => recordSale(em, sale(eventId, "order-2", [2, 3, 5], coach))),
    );
    expect(error.code).to.equal(Code.FailedPrecondition);
    expect(preconditions(error)).to.deep.equal([
      { type: "SEAT_SOLD", subject: "seat:3/leg:1" },
      { type: "SEAT_SOLD", subject: "seat:3/leg:2" },
      { type: "SEAT_SOLD", subject: "seat:5/leg:1" },
      { type: "SEAT_SOLD", subject: "seat:5/leg:2" },
    ]);
    const rows = await soldSeatLegs(orm().em.fork(), eventId);
    expect(rows.map((r) => [r.seatIndex, r.leg, r.orderId])).to.deep.equal([
      [3, 1, "order-1"],
      [3, 2, "order-1"],
      [5, 1, "order-1"],
      [5, 2, "order-1"],
    ]);
  });

  it("leaves the caller's transaction usable after a refusal", async () => {
    const eventId = newEventId();
    await orm()
      .em.fork()
      .transactional((em) => recordSale(em, sale(eventId, "order-1", [0])));
    const recorded = await orm()
      .em.fork()
      .transactional(async (em) => {
        expect(await codeOf(recordSale(em, sale(eventId, "order-2", [0, 1])))).to.equal(Code.FailedPrecondition);
        return await recordSale(em, sale(eventId, "order-2", [1]));
      });
    expect(recorded).to.deep.equal({ recorded: 1 });
    expect((await soldSeatLegs(orm().em.fork(), eventId)).map((r) => [r.seatIndex, r.orderId])).to.deep.equal([
      [0, "order-1"],
      [1, "order-2"],
    ]);
  });

  it("treats recording the same order's sale again as a no-op", async () => {
    const eventId = newEventId();
    const first = sale(eventId, "order-1", [7, 8], { fromLeg: 0, toLeg: 2 });
    expect(
      await orm()
        .em.fork()
        .transactional((em) => recordSale(em, first)),
    ).to.deep.equal({ recorded: 4 });
    const before = await soldSeatLegs(orm().em.fork(), eventId);
    expect(
      await orm()
        .em.fork()
        .transactional((em) => recordSale(em, first)),
    ).to.deep.equal({ recorded: 0 });
    expect(
      await orm()
        .em.fork()
        .transactional((em) => recordSale(em, { ...first, holdId: randomUUID() })),
    ).to.deep.equal({
      recorded: 0,
    });
    expect(await soldSeatLegs(orm().em.fork(), eventId)).to.deep.equal(before);
  });

  it("releases an order's named seats, then the rest, so they can be sold again", async () => {
    const eventId = newEventId();
    await orm()
      .em.fork()
      .transactional((em) => recordSale(em, sale(eventId, "order-1", [1, 2], { fromLeg: 0, toLeg: 2 })));
    const released = await orm()
      .em.fork()
      .transactional((em) => releaseSale(em, { eventId, orderId: "order-1", seatIndexes: [2] }));
    expect(released).to.deep.equal([
      { seatIndex: 2, leg: 0 },
      { seatIndex: 2, leg: 1 },
    ]);
    expect(await releaseSale(orm().em.fork(), { eventId, orderId: "order-2" })).to.deep.equal([]);
    await orm()
      .em.fork()
      .transactional((em) => recordSale(em, sale(eventId, "order-2", [2])));
    expect(await releaseSale(orm().em.fork(), { eventId, orderId: "order-1" })).to.have.length(2);
    expect((await soldSeatLegs(orm().em.fork(), eventId)).map((r) => [r.seatIndex, r.leg, r.orderId])).to.deep.equal([
      [2, 0, "order-2"],
    ]);
  });
});

describe("rebuilding Redis from the ledger", () => {
  const orm = useLedger();
  const { store, redis } = useStore();

  it("records the seat-legs of a 32-leg train and loads them back into Redis bit for bit after a loss", async () => {
    const train = newEventId();
    await store().loadEvent(train, 8, 32, rowsOf(8, 4));
    const sales = [
      { userId: "rahim", seatIndexes: [0, 1], legs: { fromLeg: 0, toLeg: 9 } },
      { userId: "karim", seatIndexes: [0], legs: { fromLeg: 9, toLeg: 32 } },
      { userId: "salma", seatIndexes: [5], legs: { fromLeg: 31, toLeg: 32 } },
    ];
    for (const { userId, seatIndexes, legs } of sales) {
      const held = await store().hold({ eventId: train, userId, seatIndexes, legs, policy });
      if (held.kind !== "held") throw new Error(`hold failed: ${held.kind}`);
      const orderId = randomUUID();
      expect((await store().commit(train, held.hold.id, orderId)).kind).to.equal("ok");
      await orm()
        .em.fork()
        .transactional((em) =>
          recordSale(em, { eventId: train, orderId, holdId: held.hold.id, userId, seatIndexes, legs }),
        );
    }
    const before = await store().seatStates(train);
    const rows = await soldSeatLegs(orm().em.fork(), train);
    expect(rows).to.have.length(2 * 9 + 23 + 1);
    expect(rows.at(-1)).to.deep.include({ seatIndex: 5, leg: 31 });

    await redis().del(...(await redis().keys(`{ev:${train}}:*`)));
    expect(await store().loadEvent(train, 8, 32, rowsOf(8, 4), rows)).to.equal("loaded");
    const after = await store().seatStates(train);
    expect(after.width).to.equal(4);
    expect(after.sold.equals(before.sold)).to.equal(true);
    expect(
      (
        await store().hold({
          eventId: train,
          userId: "eva",
          seatIndexes: [5],
          legs: { fromLeg: 30, toLeg: 32 },
          policy,
        })
      ).kind,
    ).to.equal("taken");
  });

  it("restores exactly the sold seats and legs after FLUSHALL, and drops live holds", async () => {
    const concert = newEventId();
    const coach = newEventId();
    const load = async () => {
      await store().loadEvent(concert, 30, 1, rowsOf(30, 10));
      await store().loadEvent(coach, 40, 4, rowsOf(40, 4));
    };
    await load();

    // Sell through the hold store (hold → commit) and record each sale in the ledger.
    const sell = async (
      eventId: string,
      userId: string,
      seatIndexes: number[],
      legs: { fromLeg: number; toLeg: number },
    ) => {
      const held = await store().hold({ eventId, userId, seatIndexes, legs, policy });
      if (held.kind !== "held") throw new Error(`hold failed: ${held.kind}`);
      const orderId = randomUUID();
      expect((await store().commit(eventId, held.hold.id, orderId)).kind).to.equal("ok");
      await orm()
        .em.fork()
        .transactional((em) => recordSale(em, { eventId, orderId, holdId: held.hold.id, userId, seatIndexes, legs }));
    };
    await sell(concert, "ayesha", [0, 1, 2], oneLeg);
    await sell(concert, "babul", [17], oneLeg);
    await sell(coach, "rahim", [6, 7], { fromLeg: 0, toLeg: 2 }); // Dhaka → Jessore
    await sell(coach, "karim", [6], { fromLeg: 2, toLeg: 4 }); // Jessore → Kolkata
    await sell(coach, "salma", [12], { fromLeg: 1, toLeg: 3 }); // Faridpur → Benapole
    // Live holds, never sold: they must not survive.
    const concertHold = await store().hold({
      eventId: concert,
      userId: "chaya",
      seatIndexes: [5],
      legs: oneLeg,
      policy,
    });
    const coachHold = await store().hold({
      eventId: coach,
      userId: "dipu",
      seatIndexes: [20],
      legs: { fromLeg: 0, toLeg: 4 },
      policy,
    });
    if (concertHold.kind !== "held" || coachHold.kind !== "held") throw new Error("the live holds should hold");

    const soldBefore = {
      concert: (await store().seatStates(concert)).sold,
      coach: (await store().seatStates(coach)).sold,
    };
    expect([...soldBefore.coach.subarray(0, 13)]).to.deep.equal([0, 0, 0, 0, 0, 0, 0b1111, 0b0011, 0, 0, 0, 0, 0b0110]);

    await redis().flushall();
    await load();
    for (const eventId of [concert, coach]) {
      const rows = await soldSeatLegs(orm().em.fork(), eventId);
      await store().rebuild(eventId, rows);
    }

    const after = { concert: await store().seatStates(concert), coach: await store().seatStates(coach) };
    expect(after.concert.sold.equals(soldBefore.concert)).to.equal(true);
    expect(after.coach.sold.equals(soldBefore.coach)).to.equal(true);
    expect([...after.concert.sold].filter((b) => b !== 0)).to.have.length(4);
    expect(after.concert.held.every((b) => b === 0)).to.equal(true);
    expect(after.coach.held.every((b) => b === 0)).to.equal(true);
    // The held seats are free again; the sold ones still refuse.
    expect(
      (await store().hold({ eventId: concert, userId: "chaya", seatIndexes: [5], legs: oneLeg, policy })).kind,
    ).to.equal("held");
    expect(
      (
        await store().hold({
          eventId: coach,
          userId: "dipu",
          seatIndexes: [20],
          legs: { fromLeg: 0, toLeg: 4 },
          policy,
        })
      ).kind,
    ).to.equal("held");
    expect(
      (await store().hold({ eventId: coach, userId: "eva", seatIndexes: [12], legs: { fromLeg: 2, toLeg: 3 }, policy }))
        .kind,
    ).to.equal("taken");
    expect(
      (await store().hold({ eventId: coach, userId: "eva", seatIndexes: [12], legs: { fromLeg: 3, toLeg: 4 }, policy }))
        .kind,
    ).to.equal("held");
  });
});
