import { defineService } from "@marquee/mesh";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { SearchService } from "@marquee/proto/marquee/search/v1/search_pb.js";
import { followCatalog } from "./background/catalog-events.js";
import { followInventory } from "./background/inventory-events.js";
import { settings } from "./config.js";
import { migrations } from "./migrations/index.js";
import * as rpcs from "./rpc/index.js";
import type { Search } from "./search.js";

/**
 * The search service: a read model of published events and trips in PostgreSQL, kept by catalog's events
 * (each event read whole from catalog's public GetEvent) and inventory's (seats sold and released), and
 * the SearchEvents and Suggest RPCs over it. Rebuildable from an empty schema: `npm run rebuild`.
 */
export const search = defineService({
  name: "search",
  ports: { grpc: 50059, metrics: 9459 },
  upstreams: { catalog: CatalogService },
  settings,
  database: { schema: "search", entities: [], migrations },
  redis: true,
  services: [SearchService],
  rpcs: Object.values(rpcs),
  compose({ log, orm, redis, upstreams, replica }) {
    const deps: Search = { orm, log };
    return {
      deps,
      background: [
        () => followCatalog(orm, redis, replica, { catalog: upstreams.catalog, log }),
        () => followInventory(orm, redis, replica, log),
      ],
    };
  },
});
