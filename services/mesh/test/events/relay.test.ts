import { expect } from "chai";
import { Redis } from "ioredis";
import { pino } from "pino";
import { OutboxEntry } from "../../src/events/outbox.js";
import { startRelay } from "../../src/events/relay.js";
import { eventStream } from "../../src/events/streams.js";
import { freePort } from "../../src/testing/server-process.js";
import { waitFor } from "../../src/testing/wait-for.js";
import { envelopeIn, logger, publishEvent, uniqueSource, useFixture, versionOf } from "./fixture.js";

/** The versions of the EventPublished envelopes in the stream, in stream order. */
async function versionsIn(redis: Redis, stream: string): Promise<number[]> {
  const entries = await redis.xrangeBuffer(stream, "-", "+");
  return entries.map(([, fields]) => versionOf(envelopeIn(fields)));
}

describe("startRelay", () => {
  const fixture = useFixture();

  it("publishes committed events to marquee.events.<source> in the order they were written", async () => {
    const [orm, redis, source] = [await fixture.database("relay_order"), await fixture.redis(), uniqueSource()];
    const expected = Array.from({ length: 25 }, (_, i) => i + 1);
    for (const version of expected) await publishEvent(orm, source, "event-1", version);
    fixture.cleanup(startRelay({ orm, redis, source, logger, batchSize: 10, pollMs: 10 }));
    const stream = eventStream(source);
    await waitFor("every event in the stream", async () => (await redis.xlen(stream)) === expected.length);
    expect(await versionsIn(redis, stream)).to.deep.equal(expected);
  });

  it("publishes the envelope exactly as written, in the field envelope", async () => {
    const [orm, redis, source] = [await fixture.database("relay_bytes"), await fixture.redis(), uniqueSource()];
    const written = await publishEvent(orm, source, "event-9", 3);
    fixture.cleanup(startRelay({ orm, redis, source, logger, pollMs: 10 }));
    const stream = eventStream(source);
    const [, fields] = await waitFor(
      "the event in the stream",
      async () => (await redis.xrangeBuffer(stream, "-", "+"))[0],
    );
    expect(fields[0]?.toString()).to.equal("envelope");
    const published = envelopeIn(fields);
    expect(published.id).to.equal(written.id);
    expect(published.subject).to.equal("event-9");
  });

  it("removes published events from the outbox", async () => {
    const [orm, redis, source] = [await fixture.database("relay_delete"), await fixture.redis(), uniqueSource()];
    await publishEvent(orm, source, "event-1");
    fixture.cleanup(startRelay({ orm, redis, source, logger, pollMs: 10 }));
    await waitFor("an empty outbox", async () => (await orm.em.fork().count(OutboxEntry, {})) === 0);
    expect(await redis.xlen(eventStream(source))).to.equal(1);
  });

  it("publishes events written while it runs", async () => {
    const [orm, redis, source] = [await fixture.database("relay_live"), await fixture.redis(), uniqueSource()];
    fixture.cleanup(startRelay({ orm, redis, source, logger, pollMs: 10 }));
    await publishEvent(orm, source, "event-1", 1);
    await waitFor("the first event", async () => (await redis.xlen(eventStream(source))) === 1);
    await publishEvent(orm, source, "event-1", 2);
    await waitFor("the second event", async () => (await redis.xlen(eventStream(source))) === 2);
    expect(await versionsIn(redis, eventStream(source))).to.deep.equal([1, 2]);
  });

  it("publishes each event once and in order when two relays run against one outbox", async () => {
    const schema = `relay_pair_${uniqueSource().slice(5)}`;
    const [first, second] = [
      await fixture.database("relay_pair", schema),
      await fixture.database("relay_pair", schema),
    ];
    const [redisA, redisB, source] = [await fixture.redis(), await fixture.redis(), uniqueSource()];
    fixture.cleanup(startRelay({ orm: first, redis: redisA, source, logger, batchSize: 5, pollMs: 1 }));
    fixture.cleanup(startRelay({ orm: second, redis: redisB, source, logger, batchSize: 5, pollMs: 1 }));
    const expected = Array.from({ length: 60 }, (_, i) => i + 1);
    // Written while both relays poll, alternating between the two replicas' connections.
    for (const version of expected) await publishEvent(version % 2 ? first : second, source, "event-1", version);
    const stream = eventStream(source);
    await waitFor("an empty outbox", async () => (await first.em.fork().count(OutboxEntry, {})) === 0);
    await waitFor("every event in the stream", async () => (await redisA.xlen(stream)) >= expected.length);
    expect(await versionsIn(redisA, stream)).to.deep.equal(expected);
  });

  it("keeps events in the outbox while Redis is unreachable and publishes them once it is back", async () => {
    const [orm, source] = [await fixture.database("relay_down"), uniqueSource()];
    const failures: string[] = [];
    const watched = pino({ level: "error" }, { write: (line: string) => failures.push(line) });
    // A port nobody listens on: every publish fails at once.
    const unreachable = new Redis({ port: await freePort(), maxRetriesPerRequest: 0, retryStrategy: () => 20 });
    unreachable.on("error", () => {});
    const broken = startRelay({ orm, redis: unreachable, source, logger: watched, pollMs: 5 });
    await publishEvent(orm, source, "event-1");
    await waitFor(
      "two failed publishes",
      () => failures.filter((l) => l.includes("publishing the outbox failed")).length >= 2,
    );
    await broken.stop();
    unreachable.disconnect();
    expect(await orm.em.fork().count(OutboxEntry, {})).to.equal(1);
    const redis = await fixture.redis();
    fixture.cleanup(startRelay({ orm, redis, source, logger, pollMs: 10 }));
    await waitFor("the event in the stream", async () => (await redis.xlen(eventStream(source))) === 1);
  });
});
