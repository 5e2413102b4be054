/**
 * `@marquee/catalog/testing`: a real catalog for other services' tests (inventory, ordering, the BFF) —
 * the server over its own schema, and the helpers that create and publish events through its API.
 */
export { createEventOn, startCatalog, type TestCatalog } from "./catalog.js";
