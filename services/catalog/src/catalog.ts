import type { Database, MeshClient } from "@marquee/mesh";
import type { InventoryInternalService } from "@marquee/proto/marquee/inventory/v1/inventory_internal_pb.js";

/**
 * What the catalog's handlers are built from: its database, and inventory, which CancelEvent asks to close
 * an event's sales before it commits the cancellation.
 */
export interface Catalog {
  readonly orm: Database;
  readonly inventory: MeshClient<typeof InventoryInternalService>;
}
