import { create, fromBinary } from "@bufbuild/protobuf";
import { EnvelopeSchema } from "@marquee/proto/marquee/events/v1/envelope_pb.js";
import { EventPublishedSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import { SpanKind, trace } from "@opentelemetry/api";
import { expect } from "chai";
import { OutboxEntry } from "../../src/events/outbox.js";
import { writeEvent } from "../../src/events/write-event.js";
import { useTracing } from "../../src/testing/tracing.js";
import { useFixture, versionOf } from "./fixture.js";

describe("writeEvent", () => {
  const fixture = useFixture();

  it("stores the event in the outbox when the transaction commits", async () => {
    const orm = await fixture.database("write_commit");
    const written = await orm.em.fork().transactional((em) =>
      writeEvent(em, {
        source: "catalog",
        subject: "event-1",
        schema: EventPublishedSchema,
        payload: create(EventPublishedSchema, { version: 7n }),
      }),
    );
    const row = await orm.em.fork().findOneOrFail(OutboxEntry, { id: written.id });
    const envelope = fromBinary(EnvelopeSchema, row.envelope);
    expect(envelope.id).to.match(/^[0-9a-f-]{36}$/);
    expect(envelope.type).to.equal("marquee.events.v1.EventPublished");
    expect(envelope.source).to.equal("catalog");
    expect(envelope.subject).to.equal("event-1");
    expect(Number(envelope.time?.seconds)).to.be.closeTo(Date.now() / 1000, 60);
    expect(versionOf(envelope)).to.equal(7);
  });

  it("leaves no event behind when the transaction rolls back", async () => {
    const orm = await fixture.database("write_rollback");
    let error: unknown;
    await orm.em
      .fork()
      .transactional(async (em) => {
        await writeEvent(em, {
          source: "catalog",
          subject: "event-1",
          schema: EventPublishedSchema,
          payload: create(EventPublishedSchema, {}),
        });
        throw new Error("the state change failed");
      })
      .catch((e) => (error = e));
    expect(String(error)).to.include("the state change failed");
    expect(await orm.em.fork().count(OutboxEntry, {})).to.equal(0);
  });

  it("refuses to write outside a transaction", async () => {
    const orm = await fixture.database("write_no_tx");
    let error: unknown;
    await writeEvent(orm.em.fork(), {
      source: "catalog",
      subject: "event-1",
      schema: EventPublishedSchema,
      payload: create(EventPublishedSchema, {}),
    }).catch((e) => (error = e));
    expect(String(error)).to.include("em.transactional");
    expect(await orm.em.fork().count(OutboxEntry, {})).to.equal(0);
  });

  it("leaves traceparent empty when no span is active", async () => {
    const orm = await fixture.database("write_untraced");
    const envelope = await orm.em.fork().transactional((em) =>
      writeEvent(em, {
        source: "catalog",
        subject: "event-1",
        schema: EventPublishedSchema,
        payload: create(EventPublishedSchema, {}),
      }),
    );
    expect(envelope.traceparent).to.equal("");
  });

  describe("in a traced process", () => {
    const spans = useTracing();

    it("records the W3C traceparent of a PRODUCER span, a child of the active span", async () => {
      const orm = await fixture.database("write_traced");
      const [span, envelope] = await trace.getTracer("test").startActiveSpan("publish", async (span) => {
        const written = await orm.em.fork().transactional((em) =>
          writeEvent(em, {
            source: "catalog",
            subject: "event-1",
            schema: EventPublishedSchema,
            payload: create(EventPublishedSchema, {}),
          }),
        );
        span.end();
        return [span.spanContext(), written] as const;
      });
      const producer = spans.getFinishedSpans().find((finished) => finished.kind === SpanKind.PRODUCER);
      expect(producer?.name).to.equal("create marquee.events.catalog");
      expect(producer?.parentSpanContext?.spanId).to.equal(span.spanId);
      expect(producer?.attributes["messaging.message.id"]).to.equal(envelope.id);
      expect(envelope.traceparent).to.equal(`00-${span.traceId}-${producer?.spanContext().spanId}-01`);
    });
  });
});
