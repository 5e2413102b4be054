import type { MeshClient } from "@marquee/mesh";
import type { InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { createHallEvents, hallShape } from "./fixtures.js";
import { inventoryClients } from "./inventory-client.js";
import { mintBuyers, SeatGroups } from "./supply.js";
import { type BenchContext, seatsPerHold } from "./variant.js";

let shared: Promise<SeatGroups> | undefined;

/**
 * The hall events the gRPC and BFF variants share, created on first use: enough 75,000-seat concerts for
 * both variants at BENCH_MAX_HOLDS_PER_S, each warmed up by one hold through the inventory (so its seat
 * map is cached and its seats are in Redis before any window opens), then handed out 4 seats at a time.
 */
export function hallSeatGroups(context: BenchContext): Promise<SeatGroups> {
  shared ??= createHall(context);
  return shared;
}

async function createHall(context: BenchContext): Promise<SeatGroups> {
  const groupsPerEvent = Math.floor(hallShape.seatsPerRow / seatsPerHold) * hallShape.rowCount - 1;
  const count = Math.ceil((2 * context.holdsToProvision) / groupsPerEvent);
  context.say(`creating ${count} hall events of ${hallShape.rowCount * hallShape.seatsPerRow} seats in catalog…`);
  const events = await createHallEvents(context.catalog, context.stack.tokens.organizer, count);
  const [client] = inventoryClients(context.inventoryAddress, 1) as [MeshClient<typeof InventoryService>];
  try {
    const buyers = await mintBuyers(context.signingKey, events.length);
    for (const [i, event] of events.entries()) {
      const group = SeatGroups.warmupGroup(event, seatsPerHold);
      await client.holdSeats(
        { eventId: group.eventId, seatIds: [...group.seatIds] },
        { token: buyers[i]?.token as string, timeoutMs: 120_000 },
      );
    }
  } finally {
    client.close();
  }
  return new SeatGroups(events, seatsPerHold);
}
