/**
 * `@marquee/catalog/testing`: a real catalog for other services' tests (inventory, ordering, the BFF) —
 * the server over its own schema, the helpers that create and publish events through its API, and the
 * lettered coach on its four-leg border route.
 */
export { borderStops, borderTrip, letteredCoach } from "./border-coach.js";
export { type CatalogOptions, createEventOn, noInventory, startCatalog, type TestCatalog } from "./catalog.js";
