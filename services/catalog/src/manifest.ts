import { defineService } from "@marquee/mesh";
import { CatalogInternalService } from "@marquee/proto/marquee/catalog/v1/catalog_internal_pb.js";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { InventoryInternalService } from "@marquee/proto/marquee/inventory/v1/inventory_internal_pb.js";
import type { Catalog } from "./catalog.js";
import { entities } from "./entities/index.js";
import { migrations } from "./migrations/index.js";
import * as rpcs from "./rpc/index.js";

/**
 * The catalog: venues with seat maps, events and trips with prices and fares, their lifecycle, and the
 * events it writes (`marquee.events.catalog`). Its handlers need its database, and CancelEvent inventory
 * (CloseSales), which it calls back: inventory reads catalog's seat maps.
 */
export const catalog = defineService({
  name: "catalog",
  ports: { grpc: 50052, metrics: 9452 },
  upstreams: { inventory: InventoryInternalService },
  settings: {},
  database: { schema: "catalog", entities, migrations },
  events: { source: "catalog" },
  services: [CatalogService, CatalogInternalService],
  rpcs: Object.values(rpcs),
  compose: ({ orm, upstreams }): { deps: Catalog } => ({ deps: { orm, inventory: upstreams.inventory } }),
});
