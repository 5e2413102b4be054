import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { anyPack } from "@bufbuild/protobuf/wkt";
import { EnvelopeSchema } from "@marquee/proto/marquee/events/v1/envelope_pb.js";
import { EventPublishedSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import { handleCatalogEvent } from "../../src/background/catalog-events.js";
import { concert, startSearch, type TestSearch } from "../support/testing.js";

describe("handleCatalogEvent", () => {
  let search: TestSearch;

  before(async () => {
    // No consumer of its own: it would meet the whole run's catalog events on the shared test Redis and,
    // calling the stub while these tests take it down, open the client's circuit breaker for them.
    search = await startSearch(undefined, { background: false });
  });
  after(async () => {
    await search?.close();
  });

  const published = (eventId: string) =>
    create(EnvelopeSchema, {
      id: randomUUID(),
      type: EventPublishedSchema.typeName,
      source: "catalog",
      payload: anyPack(EventPublishedSchema, create(EventPublishedSchema, { event: { eventId } })),
    });
  const listed = async (eventId: string) =>
    (await search.service.deps.orm.em.fork().execute(`select 1 from listing where event_id = ?`, [eventId])).length;

  it("throws and writes nothing while catalog is down, so the consumer delivers the event again", async () => {
    const event = concert();
    search.catalog.events.set(event.id, event);
    search.catalog.isDown = true;
    const source = { catalog: search.service.parts.upstreams.catalog, log: search.service.deps.log };
    try {
      await assert.rejects(
        search.service.deps.orm.em.fork().transactional((em) => handleCatalogEvent(published(event.id), em, source)),
        /catalog is down|UNAVAILABLE|unavailable/i,
      );
    } finally {
      search.catalog.isDown = false;
    }
    assert.equal(await listed(event.id), 0);
    await search.service.deps.orm.em.fork().transactional((em) => handleCatalogEvent(published(event.id), em, source));
    assert.equal(await listed(event.id), 1, "the redelivery lists it");
  });

  it("lists nothing for an event catalog does not have, without failing (no endless redelivery)", async () => {
    const source = { catalog: search.service.parts.upstreams.catalog, log: search.service.deps.log };
    const eventId = randomUUID();
    await search.service.deps.orm.em.fork().transactional((em) => handleCatalogEvent(published(eventId), em, source));
    assert.equal(await listed(eventId), 0);
  });
});
