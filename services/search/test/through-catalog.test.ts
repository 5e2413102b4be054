import assert from "node:assert/strict";
import { borderTrip, createEventOn, letteredCoach, startCatalog } from "@marquee/catalog/testing";
import { createLogger, type Relay, startRelay } from "@marquee/mesh";
import { organizerToken, startService, testRedis, testUserIds, waitFor } from "@marquee/mesh/testing";
import { SearchService } from "@marquee/proto/marquee/search/v1/search_pb.js";
import { Redis } from "ioredis";
import { search } from "../src/manifest.js";

describe("the read model fed by the real catalog", () => {
  it("lists a trip catalog publishes, with the fares and stops catalog gives, for a route search", async () => {
    const catalog = await startCatalog();
    const redis = new Redis(await testRedis(), { maxRetriesPerRequest: 3 });
    // The catalog's outbox reaches the stream through its relay, as in production.
    let relay: Relay | undefined;
    try {
      relay = startRelay({ orm: catalog.orm, redis, source: "catalog", logger: createLogger("relay", "silent") });
      const service = await startService(search, { background: true, upstreams: { catalog: catalog.server.address } });
      try {
        const token = await organizerToken(testUserIds.organizer);
        const title = `Dhaka → Kolkata (Diu Paribahan ${Date.now()})`;
        const { event } = await createEventOn(catalog, token, letteredCoach(), (venueId) =>
          borderTrip(venueId, { overrides: { title } }),
        );
        const client = await service.client(SearchService);
        const found = await waitFor(
          "the published trip in search",
          async () => {
            const response = await client.searchEvents({ originCity: "Jessore", destinationCity: "Kolkata" });
            return response.results.find((result) => result.id === event.id);
          },
          { timeoutMs: 20_000, intervalMs: 100 },
        );
        assert.equal(found.title, title);
        assert.deepEqual([found.ride?.boardingStopId, found.ride?.alightingStopId], ["jessore", "kolkata"]);
        assert.equal(found.lowestPrice?.amountMinor, 100_000n, "two legs of 500 taka");
        assert.equal(found.stops.length, 5);
        assert.equal(found.venueName, event.venueName);
        const back = await client.searchEvents({ originCity: "Kolkata", destinationCity: "Jessore" });
        assert.ok(!back.results.some((result) => result.id === event.id));
      } finally {
        await service.close();
      }
    } finally {
      await relay?.stop();
      redis.disconnect();
      await catalog.close();
    }
  });
});
