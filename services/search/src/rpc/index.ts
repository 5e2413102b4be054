/** One entry per RPC of SearchService, each from its own file (`SearchEvents` → `search-events.ts`). */
export { searchEvents } from "./search-events.js";
export { suggest } from "./suggest.js";
