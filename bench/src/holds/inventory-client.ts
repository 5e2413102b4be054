import { createClient, type MeshClient } from "@marquee/mesh";
import { InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";

/**
 * `count` InventoryService clients on separate HTTP/2 connections, as mesh services call the inventory
 * (deadline, breaker, trace context). grpc-js shares one connection among channels with the same target
 * and options unless each keeps a local subchannel pool.
 */
export function inventoryClients(address: string, count: number): MeshClient<typeof InventoryService>[] {
  return Array.from({ length: count }, () =>
    createClient(InventoryService, {
      address,
      upstream: "inventory",
      timeoutMs: 30_000,
      channelOptions: { "grpc.use_local_subchannel_pool": 1 },
    }),
  );
}
