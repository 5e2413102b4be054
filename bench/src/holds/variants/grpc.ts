import { hallSeatGroups } from "../hall.js";
import { inventoryClients } from "../inventory-client.js";
import { BuyerQueue, mintBuyers } from "../supply.js";
import type { Variant } from "../variant.js";

/**
 * (b) InventoryService.HoldSeats on the inventory process the launcher started, over gRPC: token
 * verification, validation, seat ids to indexes, the hold script, the Hold message back.
 */
export const grpc: Variant = {
  key: "grpc",
  title: "InventoryService.HoldSeats over gRPC, 4 seats of a 75,000-seat hall",
  async prepare(context) {
    const groups = await hallSeatGroups(context);
    context.say(`minting ${context.holdsToProvision} buyers…`);
    const buyers = new BuyerQueue(await mintBuyers(context.signingKey, context.holdsToProvision));
    const clients = inventoryClients(context.inventoryAddress, context.config.connections);
    return {
      setup:
        `The shared hall events; ${clients.length} gRPC channel(s) (mesh createClient, own HTTP/2 connection each), ` +
        "worker i on channel i mod n; a new buyer token per hold",
      operation: {
        async run(worker) {
          const { eventId, seatIds } = groups.take();
          const { token } = buyers.take();
          return await clients[worker % clients.length]?.holdSeats({ eventId, seatIds: [...seatIds] }, { token });
        },
      },
      async close() {
        for (const client of clients) client.close();
      },
    };
  },
};
