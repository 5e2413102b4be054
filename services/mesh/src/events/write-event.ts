import { randomUUID } from "node:crypto";
import { create, type DescMessage, type MessageShape, toBinary } from "@bufbuild/protobuf";
import { anyPack, timestampNow } from "@bufbuild/protobuf/wkt";
import { type Envelope, EnvelopeSchema } from "@marquee/proto/marquee/events/v1/envelope_pb.js";
import type { EntityManager } from "@mikro-orm/core";
import { context, propagation, SpanKind, trace } from "@opentelemetry/api";
import { OutboxEntry } from "./outbox.js";
import { eventStream } from "./streams.js";

const tracer = trace.getTracer("@marquee/mesh");

/** An event to write: what happened (`payload`, a message of `marquee.events.v1`), to what, by whom. */
export interface EventToWrite<Desc extends DescMessage> {
  /** The producing service, e.g. `catalog`; also names the stream the relay publishes to. */
  readonly source: string;
  /** Id of the resource the event is about; events of one subject are published in the order written. */
  readonly subject: string;
  /** The payload's schema, e.g. `EventPublishedSchema`. */
  readonly schema: Desc;
  /** The payload, made with `create(schema, …)`. */
  readonly payload: MessageShape<Desc>;
}

/**
 * Writes an event to the service's outbox inside the caller's transaction, so the event exists exactly
 * when the change it describes commits: a rolled-back transaction leaves no event behind. Wraps the
 * payload in an Envelope with a new UUID, the payload's type name, the current time and the W3C
 * `traceparent` of the active OpenTelemetry context, so the consumer's trace continues this one. The relay
 * publishes it after commit. Call it with the `em` that `em.transactional` hands to its callback.
 */
export async function writeEvent<Desc extends DescMessage>(
  em: EntityManager,
  event: EventToWrite<Desc>,
): Promise<Envelope> {
  if (!em.isInTransaction()) {
    throw new Error("writeEvent needs a transaction: call it inside em.transactional(...)");
  }
  const id = randomUUID();
  const stream = eventStream(event.source);
  const carrier: Record<string, string> = {};
  // The PRODUCER span of OpenTelemetry's messaging conventions: the event's creation, which every
  // consumer's CONSUMER span continues (through `traceparent`), however late it is relayed and read. Only
  // within a trace: an event written by untraced work carries no traceparent (see the Envelope).
  if (trace.getSpanContext(context.active()) !== undefined) {
    const span = tracer.startSpan(`create ${stream}`, {
      kind: SpanKind.PRODUCER,
      attributes: {
        "messaging.system": "redis",
        "messaging.operation.type": "create",
        "messaging.operation.name": "create",
        "messaging.destination.name": stream,
        "messaging.message.id": id,
        "marquee.event.type": event.schema.typeName,
      },
    });
    propagation.inject(trace.setSpan(context.active(), span), carrier);
    span.end();
  }
  const envelope = create(EnvelopeSchema, {
    id,
    type: event.schema.typeName,
    time: timestampNow(),
    source: event.source,
    subject: event.subject,
    traceparent: carrier.traceparent ?? "",
    payload: anyPack(event.schema, event.payload),
  });
  await em.insert(OutboxEntry, {
    id: envelope.id,
    type: envelope.type,
    subject: envelope.subject,
    envelope: toBinary(EnvelopeSchema, envelope),
    createdAt: new Date(),
  });
  return envelope;
}
