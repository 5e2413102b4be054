/** One entry per RPC of the inventory's services, each from its own file (`InventoryService.HoldSeats` → `hold-seats.ts`). */
export { abandonHold } from "./abandon-hold.js";
export { closeSales } from "./close-sales.js";
export { commitHold } from "./commit-hold.js";
export { extendHold } from "./extend-hold.js";
export { getAvailability } from "./get-availability.js";
export { getHold } from "./get-hold.js";
export { holdBestAvailable } from "./hold-best-available.js";
export { holdSeats } from "./hold-seats.js";
export { listEventSales } from "./list-event-sales.js";
export { loadEvent } from "./load-event.js";
export { readHold } from "./read-hold.js";
export { releaseHold } from "./release-hold.js";
export { releaseSold } from "./release-sold.js";
export { watchAvailability } from "./watch-availability.js";
