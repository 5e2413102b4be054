import { Code } from "@marquee/mesh";
import { customerToken, failureOf, preconditions, testId, testRedisCluster, waitFor } from "@marquee/mesh/testing";
import { HoldState, SeatState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { expect } from "chai";
import type { Cluster } from "ioredis";
import { startSweeper } from "../../src/background/sweeper.js";
import { coach, concertIn, expireNow, hall, publish, ride, tripOn, useInventory } from "../support/inventory.js";

describe("the inventory service with seat state on a 3-master Redis Cluster", () => {
  const env = useInventory(testRedisCluster);

  it("holds, refuses per leg, commits, expires, watches and rebuilds exactly as on one Redis", async () => {
    const trip = await publish(env.catalog, coach, tripOn);
    const event = await publish(env.catalog, hall, concertIn);
    const abort = new AbortController();
    const changes: string[] = [];
    const watching = (async () => {
      try {
        const stream = env.client.watchAvailability({ eventId: event.id }, { signal: abort.signal, timeoutMs: 60_000 });
        for await (const message of stream) {
          for (const seat of message.seats) if (!message.isSnapshot) changes.push(`${seat.seatId}=${seat.state}`);
        }
      } catch {
        // Aborted below.
      }
    })();
    try {
      const rahim = await customerToken(testId("rahim"));
      const { hold } = await env.client.holdSeats(
        { eventId: trip.id, ride: ride("dhaka", "jessore"), seatIds: ["cabin:7-A"] },
        { token: rahim },
      );
      await env.internal.commitHold({ holdId: hold?.id ?? "", orderId: testId("order-rahim") });
      const refused = await failureOf(
        env.client.holdSeats(
          { eventId: trip.id, ride: ride("faridpur", "benapole"), seatIds: ["cabin:7-A"] },
          { token: await customerToken(testId("karim")) },
        ),
      );
      expect(refused.code).to.equal(Code.FailedPrecondition);
      expect(preconditions(refused).map((p) => p.subject)).to.deep.equal(["seat:cabin:7-A/leg:faridpur-jessore"]);
      const later = await env.client.holdSeats(
        { eventId: trip.id, ride: ride("jessore", "kolkata"), seatIds: ["cabin:7-A"] },
        { token: await customerToken(testId("karim")) },
      );
      expect(later.hold?.state).to.equal(HoldState.ACTIVE);

      const buyer = await customerToken(testId("concertgoer"));
      const { hold: lapsing } = await env.client.holdSeats(
        { eventId: event.id, seatIds: ["stalls:A-1"] },
        { token: buyer },
      );
      await waitFor("the hold on the watcher", () => changes.includes(`stalls:A-1=${SeatState.HELD}`));
      await expireNow(env.inventory.redis, event.id, lapsing?.id ?? "");
      const sweeper = startSweeper(env.inventory, { intervalMs: 20 });
      try {
        await waitFor("the expiry on the watcher", () => changes.includes(`stalls:A-1=${SeatState.AVAILABLE}`));
      } finally {
        await sweeper.stop();
      }
    } finally {
      abort.abort();
      await watching;
    }

    const cluster = env.inventory.redis as Cluster;
    await Promise.all(cluster.nodes("master").map((master) => master.flushall()));
    const { sections } = await env.client.getAvailability({ eventId: trip.id, ride: ride("dhaka", "faridpur") });
    expect(sections[0]).to.deep.include({ sold: 1, held: 0, available: 39 });
    const whole = await env.client.getAvailability({ eventId: trip.id, ride: ride("jessore", "kolkata") });
    expect(whole.sections[0]).to.deep.include({ sold: 0, held: 0, available: 40 });
  });
});
