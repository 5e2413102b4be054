import { create, toBinary } from "@bufbuild/protobuf";
import { EnvelopeSchema } from "@marquee/proto/marquee/events/v1/envelope_pb.js";
import { context, type SpanContext, SpanKind, trace } from "@opentelemetry/api";
import { expect } from "chai";
import type { Redis } from "ioredis";
import { type EventHandler, startConsumer } from "../../src/events/consumer.js";
import { InboxEntry } from "../../src/events/inbox.js";
import { startRelay } from "../../src/events/relay.js";
import { deadLetterStream, eventStream } from "../../src/events/streams.js";
import { restartRedis } from "../../src/testing/redis.js";
import { useTracing } from "../../src/testing/tracing.js";
import { waitFor } from "../../src/testing/wait-for.js";
import { appliedCount, apply, logger, publishEvent, uniqueSource, useFixture } from "./fixture.js";

/** How many entries of the group are delivered but not yet acknowledged. */
async function pendingCount(redis: Redis, stream: string, group: string): Promise<number> {
  const [count] = (await redis.xpending(stream, group)) as [number];
  return count;
}

describe("startConsumer", () => {
  const fixture = useFixture();

  /** A producer database with a running relay, and a consumer database, for one test. */
  async function setup(prefix: string) {
    const producer = await fixture.database(`${prefix}_p`);
    const consumerDb = await fixture.database(`${prefix}_c`);
    const redis = await fixture.redis();
    const source = uniqueSource();
    fixture.cleanup(startRelay({ orm: producer, redis, source, logger, pollMs: 10 }));
    return { producer, orm: consumerDb, redis, source, stream: eventStream(source) };
  }

  const applyEffect: EventHandler = (envelope, em) => apply(em, envelope.subject);

  it("handles each published event and acknowledges it", async () => {
    const { producer, orm, redis, source, stream } = await setup("cons_basic");
    fixture.cleanup(startConsumer({ orm, redis, stream, group: "g", consumer: "c1", handle: applyEffect, logger }));
    await publishEvent(producer, source, "event-1");
    await publishEvent(producer, source, "event-2");
    await waitFor(
      "both effects",
      async () => (await appliedCount(orm, "event-1")) + (await appliedCount(orm, "event-2")) === 2,
    );
    await waitFor("no pending entry", async () => (await pendingCount(redis, stream, "g")) === 0);
  });

  it("records each handled event in the inbox under its group", async () => {
    const { producer, orm, redis, source, stream } = await setup("cons_inbox");
    fixture.cleanup(
      startConsumer({ orm, redis, stream, group: "search", consumer: "c1", handle: applyEffect, logger }),
    );
    const written = await publishEvent(producer, source, "event-1");
    const entry = await waitFor("the inbox entry", () => orm.em.fork().findOne(InboxEntry, { eventId: written.id }));
    expect(entry.consumerGroup).to.equal("search");
  });

  it("reads events published before its group existed", async () => {
    const { producer, orm, redis, source, stream } = await setup("cons_history");
    await publishEvent(producer, source, "event-1");
    await waitFor("the event in the stream", async () => (await redis.xlen(stream)) === 1);
    fixture.cleanup(startConsumer({ orm, redis, stream, group: "late", consumer: "c1", handle: applyEffect, logger }));
    await waitFor("the effect", async () => (await appliedCount(orm, "event-1")) === 1);
  });

  it("applies an event delivered twice only once", async () => {
    const { producer, orm, redis, source, stream } = await setup("cons_dup");
    const written = await publishEvent(producer, source, "event-1");
    await waitFor("the event in the stream", async () => (await redis.xlen(stream)) === 1);
    // What a relay that crashed between XADD and commit leaves behind: the same envelope twice.
    await redis.xadd(stream, "*", "envelope", Buffer.from(toBinary(EnvelopeSchema, written)));
    fixture.cleanup(startConsumer({ orm, redis, stream, group: "g", consumer: "c1", handle: applyEffect, logger }));
    await waitFor("both entries read and acknowledged", async () => {
      const [group] = (await redis.xinfo("GROUPS", stream)) as (string | number)[][];
      const entriesRead = group?.[group.indexOf("entries-read") + 1];
      return entriesRead === 2 && (await pendingCount(redis, stream, "g")) === 0;
    });
    expect(await appliedCount(orm, "event-1")).to.equal(1);
  });

  it("leaves the effect applied exactly once when a consumer crashes after committing, before acknowledging", async () => {
    const { producer, orm, redis, source, stream } = await setup("cons_crash_ack");
    // The first consumer commits the effect, then dies before its XACK reaches Redis.
    const doomed = await fixture.redis();
    let handledByFirst = 0;
    doomed.xack = async () => {
      throw new Error("the process died here");
    };
    const first = fixture.cleanup(
      startConsumer({
        orm,
        redis: doomed,
        stream,
        group: "g",
        consumer: "first",
        logger,
        handle: async (envelope, em) => {
          await apply(em, envelope.subject);
          handledByFirst++;
        },
      }),
    );
    await publishEvent(producer, source, "event-1");
    await waitFor(
      "the first consumer's commit",
      async () => handledByFirst === 1 && (await appliedCount(orm, "event-1")) === 1,
    );
    await first.stop();
    expect(await pendingCount(redis, stream, "g")).to.equal(1);

    const calls: string[] = [];
    fixture.cleanup(
      startConsumer({
        orm,
        redis,
        stream,
        group: "g",
        consumer: "second",
        claimIdleMs: 50,
        logger,
        handle: async (envelope, em) => {
          calls.push(envelope.id);
          await apply(em, envelope.subject);
        },
      }),
    );
    await waitFor(
      "the second consumer to claim and acknowledge",
      async () => (await pendingCount(redis, stream, "g")) === 0,
    );
    expect(calls).to.deep.equal([]);
    expect(await appliedCount(orm, "event-1")).to.equal(1);
  });

  it("leaves the effect applied exactly once when a consumer fails mid-handling and another takes over", async () => {
    const { producer, orm, redis, source, stream } = await setup("cons_crash_mid");
    let attemptsByFirst = 0;
    const first = fixture.cleanup(
      startConsumer({
        orm,
        redis,
        stream,
        group: "g",
        consumer: "first",
        logger,
        handle: async (envelope, em) => {
          attemptsByFirst++;
          await apply(em, envelope.subject);
          throw new Error("crashed halfway");
        },
      }),
    );
    await publishEvent(producer, source, "event-1");
    await waitFor("the first consumer's attempt", () => attemptsByFirst === 1);
    await first.stop();
    expect(await appliedCount(orm, "event-1")).to.equal(0);

    fixture.cleanup(
      startConsumer({
        orm,
        redis,
        stream,
        group: "g",
        consumer: "second",
        claimIdleMs: 50,
        handle: applyEffect,
        logger,
      }),
    );
    await waitFor("the second consumer's effect", async () => (await appliedCount(orm, "event-1")) === 1);
    await waitFor("no pending entry", async () => (await pendingCount(redis, stream, "g")) === 0);
    expect(await appliedCount(orm, "event-1")).to.equal(1);
  });

  it("moves an event that keeps failing to <stream>.dead after maxDeliveries and acknowledges it", async () => {
    const { producer, orm, redis, source, stream } = await setup("cons_poison");
    let attempts = 0;
    fixture.cleanup(
      startConsumer({
        orm,
        redis,
        stream,
        group: "g",
        consumer: "c1",
        maxDeliveries: 3,
        claimIdleMs: 20,
        logger,
        handle: async () => {
          attempts++;
          throw new Error("poison");
        },
      }),
    );
    const written = await publishEvent(producer, source, "event-1");
    const dead = deadLetterStream(stream);
    const [, fields] = await waitFor("the dead letter", async () => (await redis.xrangeBuffer(dead, "-", "+"))[0]);
    const field = (name: string) => fields[fields.findIndex((f) => f.toString() === name) + 1];
    expect(attempts).to.equal(3);
    expect(field("envelope")).to.deep.equal(Buffer.from(toBinary(EnvelopeSchema, written)));
    expect(field("group")?.toString()).to.equal("g");
    expect(field("reason")?.toString()).to.include("poison");
    expect(await pendingCount(redis, stream, "g")).to.equal(0);
    expect(await orm.em.fork().count(InboxEntry, {})).to.equal(0);
  });

  it("moves an entry it cannot decode to <stream>.dead at once", async () => {
    const { orm, redis, stream } = await setup("cons_garbage");
    let attempts = 0;
    const handle: EventHandler = async () => {
      attempts++;
    };
    fixture.cleanup(startConsumer({ orm, redis, stream, group: "g", consumer: "c1", handle, logger }));
    await redis.xadd(stream, "*", "envelope", Buffer.from([0xff, 0xff, 0xff]));
    await redis.xadd(
      stream,
      "*",
      "envelope",
      Buffer.from(toBinary(EnvelopeSchema, create(EnvelopeSchema, { id: "nope" }))),
    );
    await waitFor("two dead letters", async () => (await redis.xlen(deadLetterStream(stream))) === 2);
    expect(attempts).to.equal(0);
    expect(await pendingCount(redis, stream, "g")).to.equal(0);
  });

  it("finishes the event in flight before it stops", async () => {
    const { producer, orm, redis, source, stream } = await setup("cons_stop");
    let release = () => {};
    let isStarted = false;
    const consumer = fixture.cleanup(
      startConsumer({
        orm,
        redis,
        stream,
        group: "g",
        consumer: "c1",
        logger,
        handle: async (envelope, em) => {
          isStarted = true;
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          await apply(em, envelope.subject);
        },
      }),
    );
    await publishEvent(producer, source, "event-1");
    await waitFor("the handler to start", () => isStarted);
    const stopped = consumer.stop();
    release();
    await stopped;
    expect(await appliedCount(orm, "event-1")).to.equal(1);
    expect(await pendingCount(redis, stream, "g")).to.equal(0);
  });

  it("keeps consuming after Redis restarts without its data", async function () {
    if (process.env.REDIS_URL) this.skip();
    const { producer, orm, redis, source, stream } = await setup("cons_restart");
    redis.on("error", () => {});
    fixture.cleanup(
      startConsumer({ orm, redis, stream, group: "g", consumer: "c1", handle: applyEffect, logger, blockMs: 50 }),
    );
    await publishEvent(producer, source, "event-1");
    await waitFor("the first effect", async () => (await appliedCount(orm, "event-1")) === 1);
    // The stream and its group are gone with the old server; the consumer has to create the group again.
    await restartRedis();
    await publishEvent(producer, source, "event-2");
    await waitFor("the effect after the restart", async () => (await appliedCount(orm, "event-2")) === 1, {
      timeoutMs: 15_000,
    });
  });

  describe("in a traced process", () => {
    const spans = useTracing();

    it("runs the handler in the trace of the span that wrote the event", async () => {
      const { producer, orm, redis, source, stream } = await setup("cons_trace");
      let handlerSpan: SpanContext | undefined;
      fixture.cleanup(
        startConsumer({
          orm,
          redis,
          stream,
          group: "g",
          consumer: "c1",
          logger,
          handle: async () => {
            handlerSpan = trace.getSpanContext(context.active());
          },
        }),
      );
      const checkout = await trace.getTracer("test").startActiveSpan("checkout", async (span) => {
        await publishEvent(producer, source, "event-1");
        span.end();
        return span.spanContext();
      });
      await waitFor("the handler", () => handlerSpan);
      expect(handlerSpan?.traceId).to.equal(checkout.traceId);
      const processSpan = await waitFor("the consumer span", () =>
        spans.getFinishedSpans().find((span) => span.kind === SpanKind.CONSUMER),
      );
      expect(processSpan.spanContext().spanId).to.equal(handlerSpan?.spanId);
      // Its parent is the event's creation (the PRODUCER span), itself a child of the checkout.
      const created = spans.getFinishedSpans().find((span) => span.kind === SpanKind.PRODUCER);
      expect(created?.parentSpanContext?.spanId).to.equal(checkout.spanId);
      expect(processSpan.parentSpanContext?.spanId).to.equal(created?.spanContext().spanId);
      expect(processSpan.parentSpanContext?.isRemote).to.equal(true);
    });
  });
});
