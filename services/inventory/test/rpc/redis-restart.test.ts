import { Code } from "@marquee/mesh";
import {
  customerToken,
  failureOf,
  preconditions,
  restartRedis,
  stopRedis,
  testId,
  waitFor,
} from "@marquee/mesh/testing";
import { HoldState, SeatState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { expect } from "chai";
import { concertIn, hall, publish, useInventory } from "../support/inventory.js";

describe("the inventory service through a Redis restart that loses every key", () => {
  const env = useInventory();

  it("answers UNAVAILABLE while Redis is down, then sells from the ledger: sold stays sold, live holds are gone", async function () {
    this.timeout(60_000);
    const event = await publish(env.catalog, hall, concertIn);
    const buyer = await customerToken(testId("before-the-outage"));
    const { hold: bought } = await env.client.holdSeats(
      { eventId: event.id, seatIds: ["stalls:A-1"] },
      { token: buyer },
    );
    await env.internal.commitHold({ holdId: bought?.id ?? "", orderId: testId("order-before") });
    const { hold: live } = await env.client.holdSeats({ eventId: event.id, seatIds: ["stalls:A-2"] }, { token: buyer });
    expect(live?.state).to.equal(HoldState.ACTIVE);

    const abort = new AbortController();
    const changes: string[] = [];
    let snapshot = false;
    const watching = (async () => {
      try {
        const stream = env.client.watchAvailability({ eventId: event.id }, { signal: abort.signal, timeoutMs: 60_000 });
        for await (const message of stream) {
          snapshot ||= message.isSnapshot;
          for (const seat of message.seats) if (!message.isSnapshot) changes.push(`${seat.seatId}=${seat.state}`);
        }
      } catch {
        // Aborted below.
      }
    })();
    try {
      await waitFor("the watcher's snapshot", () => snapshot);
      const token = await customerToken(testId("after-the-outage"));
      await stopRedis();
      const down = await failureOf(env.client.holdSeats({ eventId: event.id, seatIds: ["stalls:A-3"] }, { token }));
      expect(down.code).to.equal(Code.Unavailable);

      await restartRedis();
      const sold = await waitFor(
        "holds to work again",
        async () => {
          const error = await failureOf(
            env.client.holdSeats({ eventId: event.id, seatIds: ["stalls:A-1"] }, { token }),
          );
          return error.code === Code.FailedPrecondition ? error : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 200 },
      );
      expect(preconditions(sold)).to.deep.equal([{ type: "SEAT_SOLD", subject: "seat:stalls:A-1" }]);
      await env.client.holdSeats({ eventId: event.id, seatIds: ["stalls:A-3"] }, { token });
      // The watcher's stream survives: it learns that the lost hold's seat is free, and of the new hold.
      await waitFor(
        "the watcher to catch up",
        () => changes.includes(`stalls:A-2=${SeatState.AVAILABLE}`) && changes.includes(`stalls:A-3=${SeatState.HELD}`),
        { timeoutMs: 10_000 },
      );
      const { hold } = await env.client.holdSeats({ eventId: event.id, seatIds: ["stalls:A-2"] }, { token });
      expect(hold?.state).to.equal(HoldState.ACTIVE);
      const { sections } = await env.client.getAvailability({ eventId: event.id, sectionIds: ["stalls"] });
      expect(sections[0]).to.deep.include({ sold: 1, held: 2, available: 47 });
    } finally {
      abort.abort();
      await watching;
    }
  });
});
