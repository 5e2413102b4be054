import { implement, type ServiceImplementation } from "@marquee/mesh";
import { InventoryInternalService } from "@marquee/proto/marquee/inventory/v1/inventory_internal_pb.js";
import { InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import type { Inventory } from "../inventory.js";
import { commitHold, commitHoldRules } from "./commit-hold.js";
import { extendHold, extendHoldRules } from "./extend-hold.js";
import { getAvailability, getAvailabilityRules } from "./get-availability.js";
import { getHold, getHoldRules } from "./get-hold.js";
import { holdBestAvailable, holdBestAvailableRules } from "./hold-best-available.js";
import { holdSeats, holdSeatsRules } from "./hold-seats.js";
import { loadEvent, loadEventRules } from "./load-event.js";
import { releaseHold, releaseHoldRules } from "./release-hold.js";
import { releaseSold, releaseSoldRules } from "./release-sold.js";
import { watchAvailability, watchAvailabilityRules } from "./watch-availability.js";

/** InventoryService over the hold store, the ledger and the feed: one handler and one validator per RPC. */
export function inventoryService(inventory: Inventory): ServiceImplementation<typeof InventoryService> {
  return implement(
    InventoryService,
    {
      getAvailability: getAvailability(inventory),
      watchAvailability: watchAvailability(inventory),
      holdSeats: holdSeats(inventory),
      holdBestAvailable: holdBestAvailable(inventory),
      getHold: getHold(inventory),
      extendHold: extendHold(inventory),
      releaseHold: releaseHold(inventory),
    },
    [
      getAvailabilityRules,
      watchAvailabilityRules,
      holdSeatsRules,
      holdBestAvailableRules,
      getHoldRules,
      extendHoldRules,
      releaseHoldRules,
    ],
  );
}

/** InventoryInternalService (service tokens only): the ordering saga's commit and refund, and loading. */
export function inventoryInternalService(inventory: Inventory): ServiceImplementation<typeof InventoryInternalService> {
  return implement(
    InventoryInternalService,
    {
      commitHold: commitHold(inventory),
      releaseSold: releaseSold(inventory),
      loadEvent: loadEvent(inventory),
    },
    [commitHoldRules, releaseSoldRules, loadEventRules],
  );
}

/** Both services, as the server serves them. */
export function inventoryServices(inventory: Inventory): ServiceImplementation[] {
  return [inventoryService(inventory), inventoryInternalService(inventory)];
}
