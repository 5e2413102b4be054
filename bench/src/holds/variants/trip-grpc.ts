import { HoldStore } from "@marquee/inventory/store";
import type { Hold } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { Redis } from "ioredis";
import { coachStops, createCoachTrips } from "../fixtures.js";
import { inventoryClients } from "../inventory-client.js";
import { BuyerQueue, mintBuyers, RecyclingGroups, type SeatGroup } from "../supply.js";
import type { Variant } from "../variant.js";

const ride = { boardingStopId: coachStops[0], alightingStopId: coachStops[coachStops.length - 1] };

/**
 * (e) HoldSeats with a ride over all four legs of the Dhaka → Kolkata coach, over gRPC as (b). A coach has
 * 40 seats, so holds are 4 seats (one row, as in (b)) and each is released as soon as it is measured,
 * straight in Redis through HoldStore.release from this process, not through the inventory, so the
 * inventory does the same work per request as in (b); the row goes back to the pool for the next buyer.
 */
export const tripGrpc: Variant = {
  key: "trip_grpc",
  title: "HoldSeats over gRPC with a ride Dhaka → Kolkata (4 legs), one row of the 40-seat coach",
  async prepare(context) {
    const { config } = context;
    // Each worker holds at most one row at a time; two rows per worker leave the pool never empty.
    const tripCount = Math.max(2, Math.ceil((2 * config.concurrency) / 10));
    context.say(`creating ${tripCount} coach trips in catalog…`);
    const trips = await createCoachTrips(context.catalog, context.stack.tokens.organizer, tripCount);
    const rows: SeatGroup[] = trips.flatMap((trip) => trip.rows.map((seatIds) => ({ eventId: trip.eventId, seatIds })));
    context.say(`minting ${context.holdsToProvision} buyers…`);
    const buyers = new BuyerQueue(await mintBuyers(context.signingKey, context.holdsToProvision + trips.length));
    const clients = inventoryClients(context.inventoryAddress, config.connections);
    const redis = new Redis(context.stack.redisUrl, { maxRetriesPerRequest: 1 });
    const store = new HoldStore(redis);
    const release = async (hold: Hold | undefined) => {
      if (hold === undefined) throw new Error("HoldSeats answered no hold");
      const change = await store.release(hold.eventId, hold.id, hold.userId);
      if (change.kind !== "ok") throw new Error(`release of ${hold.id} answered ${change.kind}`);
    };
    // Warm every trip up (seat map cached, seats in Redis) with one hold, released at once.
    for (const trip of trips) {
      const seatIds = [...(trip.rows[0] ?? [])];
      const warm = await clients[0]?.holdSeats(
        { eventId: trip.eventId, ride, seatIds },
        { token: buyers.take().token, timeoutMs: 120_000 },
      );
      await release(warm?.hold);
    }
    const pool = new RecyclingGroups(rows);
    return {
      setup:
        `${tripCount} trips of the 40-seat coach (${rows.length} rows of 4 seats in a pool); each hold released after it ` +
        `is timed, in Redis via HoldStore.release, its row back in the pool; ${clients.length} gRPC channel(s); a new buyer token per hold`,
      operation: {
        async run(worker) {
          const group = pool.take();
          try {
            const { token } = buyers.take();
            const answer = await clients[worker % clients.length]?.holdSeats(
              { eventId: group.eventId, ride, seatIds: [...group.seatIds] },
              { token },
            );
            return { group, hold: answer?.hold };
          } catch (error) {
            pool.give(group);
            throw error;
          }
        },
        async settle(result) {
          const { group, hold } = result as { group: SeatGroup; hold: Hold | undefined };
          await release(hold);
          pool.give(group);
        },
      },
      async close() {
        for (const client of clients) client.close();
        await redis.quit();
      },
    };
  },
};
