import { expect } from "chai";
import { trackConsumerGroup, trackOutbox } from "../../src/events/metrics.js";
import { startRelay } from "../../src/events/relay.js";
import { eventStream } from "../../src/events/streams.js";
import { metricsRegistry } from "../../src/metrics.js";
import { waitFor } from "../../src/testing/wait-for.js";
import { logger, publishEvent, uniqueSource, useFixture } from "./fixture.js";

type Scrape = Awaited<ReturnType<typeof metricsRegistry.getMetricsAsJSON>>;

/** The value one scrape gave the sample of `name` with `labels`. */
function valueIn(scrape: Scrape, name: string, labels: Record<string, string>): number | undefined {
  const values = scrape.find((metric) => metric.name === name)?.values ?? [];
  return values.find((value) => Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted))?.value;
}

/** The value a new scrape of the process's registry gives the sample of `name` with `labels`. */
async function scraped(name: string, labels: Record<string, string>): Promise<number | undefined> {
  return valueIn(await metricsRegistry.getMetricsAsJSON(), name, labels);
}

describe("the event bus's metrics", () => {
  const fixture = useFixture();

  it("count an outbox's unpublished events and the age of the oldest at each scrape, then 0 once relayed", async () => {
    const [orm, redis, source] = [await fixture.database("metrics_outbox"), await fixture.redis(), uniqueSource()];
    for (const version of [1, 2, 3]) await publishEvent(orm, source, "event-1", version);
    const untrack = trackOutbox(source, orm);
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      // Both in the first scrape: a registry collects its metrics concurrently.
      const first = await metricsRegistry.getMetricsAsJSON();
      expect(valueIn(first, "marquee_outbox_events", { source })).to.equal(3);
      expect(valueIn(first, "marquee_outbox_lag_seconds", { source })).to.be.greaterThan(0.04);

      const published = { stream: eventStream(source) };
      fixture.cleanup(startRelay({ orm, redis, source, logger, pollMs: 10 }));
      await waitFor("the outbox relayed", async () => (await redis.xlen(eventStream(source))) === 3);
      await waitFor("the outbox emptied", async () => (await scraped("marquee_outbox_events", { source })) === 0);
      expect(await scraped("marquee_outbox_lag_seconds", { source })).to.equal(0);
      expect(await scraped("marquee_events_published_total", published)).to.equal(3);
    } finally {
      untrack();
    }
  });

  it("count a consumer group's backlog: entries never delivered plus delivered but unacknowledged", async () => {
    const redis = await fixture.redis();
    const stream = eventStream(uniqueSource());
    for (const n of [1, 2, 3, 4]) await redis.xadd(stream, "*", "n", String(n));
    await redis.xgroup("CREATE", stream, "g", "0");
    const untrack = trackConsumerGroup(stream, "g", redis);
    try {
      const labels = { stream, group: "g" };
      expect(await scraped("marquee_consumer_backlog_events", labels)).to.equal(4);
      const delivered = (await redis.xreadgroup("GROUP", "g", "c", "COUNT", 1, "STREAMS", stream, ">")) as [
        string,
        [string, string[]][],
      ][];
      expect(await scraped("marquee_consumer_backlog_events", labels), "1 pending + 3 not delivered").to.equal(4);
      await redis.xack(stream, "g", delivered[0]?.[1][0]?.[0] ?? "");
      expect(await scraped("marquee_consumer_backlog_events", labels)).to.equal(3);
    } finally {
      untrack();
    }
  });
});
