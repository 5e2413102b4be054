import assert from "node:assert/strict";
import { toJsonString } from "@bufbuild/protobuf";
import { testRedis } from "@marquee/mesh/testing";
import { SeatsSoldSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import { SearchEventsResponseSchema, SearchOrder } from "@marquee/proto/marquee/search/v1/search_pb.js";
import { Redis } from "ioredis";
import { rebuildReadModel } from "../src/rebuild.js";
import { coach, concert, publish, type StubCatalog, startSearch, startStubCatalog } from "./support/testing.js";

describe("rebuildReadModel", () => {
  let catalog: StubCatalog;
  const tag = `r${Date.now().toString(36)}`;

  before(async () => {
    catalog = await startStubCatalog();
  });
  after(async () => {
    await catalog?.server.close();
  });

  it("rebuilds an empty read model from the streams into the same answers", async () => {
    const queries = [
      { query: tag, orderBy: SearchOrder.START_TIME },
      { query: tag, orderBy: SearchOrder.PRICE_ASCENDING, onlyAvailable: true },
      { query: `${tag} coldpaly` },
      { originCity: "Jessore", destinationCity: "Kolkata", query: tag },
    ];
    const first = await startSearch(catalog);
    let answers: string[];
    try {
      const events = [concert({ title: `Coldplay ${tag}` }), concert({ title: `Ballet ${tag}`, capacity: 2 })];
      const trip = coach({ title: `Coach ${tag}`, capacity: 2 });
      for (const event of [...events, trip]) await first.publishEvent(event);
      await first.updateEvent({ ...trip, title: `Coach ${tag} express` });
      await first.cancelEvent(events[0]?.id ?? "");
      const soldOut = { eventId: events[1]?.id, orderId: crypto.randomUUID(), holdId: "h", seatIds: ["a", "b"] };
      await publish("inventory", SeatsSoldSchema, { ...soldOut, availableAfter: 0 });
      const ride = { boardingStopId: "jessore", alightingStopId: "kolkata" };
      await publish("inventory", SeatsSoldSchema, { ...soldOut, eventId: trip.id, ride, seatIds: ["1A"] });
      await first.searchUntil(
        { query: tag, onlyAvailable: true },
        (r) => r.results.length === 1 && r.results[0]?.title.endsWith("express") === true,
        "the cancellation, the update and the sales applied",
      );
      answers = await Promise.all(
        queries.map(async (q) => toJsonString(SearchEventsResponseSchema, await first.client.searchEvents(q))),
      );
      assert.match(answers[0] ?? "", /Coach.*express.*Ballet/, "the answers compared are not empty");
    } finally {
      await first.close();
    }

    // A new service over a new, empty schema: only the replay can give it anything.
    const second = await startSearch(catalog);
    try {
      assert.equal((await second.client.searchEvents({ query: tag })).totalSize, 0, "the read model starts empty");
      const redis = new Redis(await testRedis(), { maxRetriesPerRequest: 3 });
      try {
        await rebuildReadModel(second.service.deps.orm, redis, second.service.deps.log);
      } finally {
        redis.disconnect();
      }
      const last = queries.length - 1;
      await second.searchUntil(queries[last] ?? {}, (r) => r.results.length === 1, "the replay");
      await second.searchUntil(
        { query: tag, onlyAvailable: true },
        (r) => r.results.length === 1,
        "the sales replayed",
      );
      const rebuilt = await Promise.all(
        queries.map(async (q) => toJsonString(SearchEventsResponseSchema, await second.client.searchEvents(q))),
      );
      assert.deepEqual(rebuilt.map(withoutTokens), answers.map(withoutTokens));
    } finally {
      await second.close();
    }
  });
});

/** A response without its page token, which carries the time the first page was asked at. */
function withoutTokens(json: string): string {
  return json.replace(/"nextPageToken":"[^"]*"/, "");
}
