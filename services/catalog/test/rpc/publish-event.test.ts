import { randomBytes, randomUUID } from "node:crypto";
import { fromBinary } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { startCatalogWithInventory } from "@marquee/inventory/testing";
import { type Consumer, eventStream, type Relay, startConsumer, startRelay } from "@marquee/mesh";
import { organizerToken, testRedis, useTracing, waitFor } from "@marquee/mesh/testing";
import { EventState } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { EnvelopeSchema } from "@marquee/proto/marquee/events/v1/envelope_pb.js";
import { EventKind, EventPublishedSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import { SpanKind, trace } from "@opentelemetry/api";
import { expect } from "chai";
import { Redis } from "ioredis";
import { countAllRows, countRows, createEventOn, logger, useCatalog } from "../support/catalog.js";
import { Code, failureOf, preconditions } from "../support/errors.js";
import { arena, at, coach, coachTrip, concert } from "../support/fixtures.js";
import { outboxOf, payloadOf } from "../support/outbox.js";

describe("CatalogService.PublishEvent", () => {
  const catalog = useCatalog(startCatalogWithInventory);

  it("lets an organizer create a venue and an event, price it, publish it, and anyone read it", async () => {
    const token = await organizerToken();
    const { venue } = await catalog.client.createVenue({ venue: arena() }, { token });
    const { event: draft } = await catalog.client.createEvent(
      { event: concert(venue?.id ?? "", { priceTiers: [] }) },
      { token },
    );
    await catalog.client.updateEvent(
      { event: { id: draft?.id, priceTiers: concert("").priceTiers }, updateMask: { paths: ["price_tiers"] } },
      { token },
    );
    const { event } = await catalog.client.publishEvent({ eventId: draft?.id ?? "" }, { token });
    expect(event?.state).to.equal(EventState.PUBLISHED);
    expect(event?.publishTime).to.not.equal(undefined);

    const read = await catalog.client.getEvent({ eventId: draft?.id ?? "" });
    expect(read.event).to.deep.equal(event);
    const listed = await catalog.client.listEvents({ city: "Dhaka" });
    expect(listed.events.map((e) => e.id)).to.include(draft?.id);
  });

  it("answers FAILED_PRECONDITION listing every unpriced area and seat class, and changes nothing", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, arena(), (v) => concert(v, { priceTiers: [] }), false);
    const before = await countAllRows(catalog.orm);
    const error = await failureOf(catalog.client.publishEvent({ eventId: event.id }, { token }));
    expect(error.code).to.equal(Code.FailedPrecondition);
    expect(preconditions(error)).to.deep.equal([
      { type: "UNPRICED_SECTION", subject: "section:floor" },
      { type: "UNPRICED_SEATS", subject: "section:lower-bowl/seat_class:standard" },
      { type: "UNPRICED_SEATS", subject: "section:box/seat_class:premium" },
    ]);
    expect(await countAllRows(catalog.orm)).to.deep.equal(before);
    expect((await catalog.client.getEvent({ eventId: event.id }, { token })).event?.state).to.equal(EventState.DRAFT);
  });

  it("answers FAILED_PRECONDITION for a trip with a leg without a fare", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(
      catalog,
      token,
      coach(),
      (v) => coachTrip(v, { fares: coachTrip(v).fares?.filter((fare) => fare.boardingStopId !== "faridpur") }),
      false,
    );
    const error = await failureOf(catalog.client.publishEvent({ eventId: event.id }, { token }));
    expect(preconditions(error)).to.deep.equal([
      { type: "LEG_WITHOUT_FARE", subject: "leg:1/faridpur->jessore/seat_class:standard" },
    ]);
  });

  it("answers FAILED_PRECONDITION for an event that has already ended", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(
      catalog,
      token,
      arena(),
      (v) => concert(v, { startTime: at(-2), endTime: at(-2, 3) }),
      false,
    );
    const error = await failureOf(catalog.client.publishEvent({ eventId: event.id }, { token }));
    expect(preconditions(error)).to.deep.equal([{ type: "EVENT_ENDED", subject: "end_time" }]);
  });

  it("freezes the venue's seat map into the event", async () => {
    const token = await organizerToken();
    const seatsBefore = await countRows(catalog.orm, "event_seat");
    await createEventOn(catalog, token, arena(), concert);
    expect(await countRows(catalog.orm, "event_seat")).to.equal(seatsBefore + 204);
  });

  it("writes EventPublished to the outbox in the transaction that publishes the event", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, arena(), concert);
    // xmin is the id of the transaction that wrote a row version: one id, one transaction.
    const em = catalog.orm.em.fork();
    const [outbox] = await em.execute<{ txid: string; type: string }[]>(
      "select xmin::text as txid, type from outbox where subject = ?",
      [event.id],
    );
    const [published] = await em.execute<{ txid: string }[]>("select xmin::text as txid from event where id = ?", [
      event.id,
    ]);
    const seatTransactions = await em.execute<{ txid: string }[]>(
      "select distinct xmin::text as txid from event_seat where event_id = ?",
      [event.id],
    );
    expect(outbox?.type).to.equal("marquee.events.v1.EventPublished");
    expect(outbox?.txid).to.equal(published?.txid);
    expect(seatTransactions).to.deep.equal([{ txid: published?.txid }]);
  });

  it("describes the event in EventPublished: kind, cities, times, lowest price, capacity and map version", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, coach(), coachTrip);
    const [envelope] = await outboxOf(catalog.orm, event.id);
    expect(envelope).to.include({ source: "catalog", subject: event.id, type: "marquee.events.v1.EventPublished" });
    const published = payloadOf(envelope ?? ({} as never), EventPublishedSchema);
    expect(published.version).to.equal(1n);
    expect(published.event).to.include({
      eventId: event.id,
      kind: EventKind.TRIP,
      category: "BUS",
      title: "Dhaka → Kolkata (Diu Paribahan)",
      city: "Dhaka",
      capacity: 40,
    });
    expect(published.event?.stopCities).to.deep.equal(["Dhaka", "Faridpur", "Jessore", "Kolkata"]);
    expect(published.event?.lowestPrice).to.include({ currencyCode: "BDT", amountMinor: 40_000n });
    expect(timestampMs(published.event?.startTime ?? at(0))).to.equal(timestampMs(at(20)));
  });

  it("returns a published event unchanged when it is published again, writing no second event", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, arena(), concert);
    const again = await catalog.client.publishEvent({ eventId: event.id }, { token });
    expect(again.event).to.deep.equal(event);
    expect(await outboxOf(catalog.orm, event.id)).to.have.length(1);
  });

  it("publishes a draft once when two publications race, freezing its map once", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, arena(), concert, false);
    const [first, second] = await Promise.all([
      catalog.client.publishEvent({ eventId: event.id }, { token }),
      catalog.client.publishEvent({ eventId: event.id }, { token }),
    ]);
    expect(first.event).to.deep.equal(second.event);
    expect(await outboxOf(catalog.orm, event.id)).to.have.length(1);
    const [row] = await catalog.orm.em
      .fork()
      .execute<{ count: string }[]>("select count(*) as count from event_seat where event_id = ?", [event.id]);
    expect(Number(row?.count)).to.equal(204);
  });

  it("publishes while the venue is being edited, with the map of before or after the edit, whole", async () => {
    const token = await organizerToken();
    const { venue, event } = await createEventOn(catalog, token, arena(), concert, false);
    const smaller = arena({ sections: arena().sections?.slice(0, 2) }).sections;
    const smallerPriced = [
      { name: "Floor", layout: { case: "generalAdmission", value: { capacity: 10 } } },
      ...(smaller ?? []).slice(1),
    ] as typeof smaller;
    await Promise.all([
      catalog.client.publishEvent({ eventId: event.id }, { token }),
      catalog.client.updateVenue(
        { venue: { id: venue.id, sections: smallerPriced }, updateMask: { paths: ["sections"] } },
        { token },
      ),
    ]);
    const map = await catalog.client.getSeatMap({ eventId: event.id });
    expect(map.capacity).to.be.oneOf([704, 210]);
    const seats = await catalog.client.listSeats({ eventId: event.id, pageSize: 5000 });
    expect(seats.seats).to.have.length(map.capacity === 704 ? 204 : 200);
  });

  it("answers FAILED_PRECONDITION for a cancelled event", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, arena(), concert);
    await catalog.client.cancelEvent({ eventId: event.id, reason: "Rain" }, { token });
    expect((await failureOf(catalog.client.publishEvent({ eventId: event.id }, { token }))).code).to.equal(
      Code.FailedPrecondition,
    );
  });

  it("answers NOT_FOUND to another organizer", async () => {
    const { event } = await createEventOn(catalog, await organizerToken(), arena(), concert, false);
    const error = await failureOf(
      catalog.client.publishEvent({ eventId: event.id }, { token: await organizerToken(randomUUID()) }),
    );
    expect(error.code).to.equal(Code.NotFound);
  });

  describe("through the relay", () => {
    const relayed = useCatalog();
    const spans = useTracing();
    let redis: Redis;
    let relay: Relay;
    let consumer: Consumer | undefined;

    before(async () => {
      redis = new Redis(await testRedis());
      relay = startRelay({ orm: relayed.orm, redis, source: "catalog", logger, pollMs: 10 });
    });
    afterEach(async () => {
      await consumer?.stop();
      consumer = undefined;
    });
    after(async () => {
      await relay.stop();
      redis.disconnect();
    });

    it("publishes EventPublished to the stream marquee.events.catalog", async () => {
      const { event } = await createEventOn(relayed, await organizerToken(), arena(), concert);
      const stream = eventStream("catalog");
      expect(stream).to.equal("marquee.events.catalog");
      const envelope = await waitFor("EventPublished in the stream", async () => {
        const entries = await redis.xrangeBuffer(stream, "-", "+");
        return entries
          .map(([, fields]) => fields[fields.findIndex((field) => field.toString() === "envelope") + 1])
          .map((raw) => raw && fromBinary(EnvelopeSchema, raw))
          .find((candidate) => candidate?.subject === event.id);
      });
      expect(envelope.type).to.equal("marquee.events.v1.EventPublished");
      expect(payloadOf(envelope, EventPublishedSchema).event?.eventId).to.equal(event.id);
      await waitFor("an empty outbox", async () => (await countRows(relayed.orm, "outbox")) === 0);
    });

    it("continues the client's trace: client → server → stream → consumer", async () => {
      const token = await organizerToken();
      const { event: draft } = await createEventOn(relayed, token, arena(), concert, false);
      let consumedTraceId: string | undefined;
      consumer = startConsumer({
        orm: relayed.orm,
        redis,
        stream: eventStream("catalog"),
        group: `trace-test-${randomBytes(4).toString("hex")}`,
        consumer: "c1",
        logger,
        blockMs: 50,
        handle: async (envelope) => {
          if (envelope.subject === draft.id && envelope.type === "marquee.events.v1.EventPublished") {
            consumedTraceId = trace.getActiveSpan()?.spanContext().traceId;
          }
        },
      });
      const traceId = await trace.getTracer("catalog-test").startActiveSpan("organizer publishes", async (span) => {
        await relayed.client.publishEvent({ eventId: draft.id }, { token });
        span.end();
        return span.spanContext().traceId;
      });
      await waitFor("the consumer to handle EventPublished", () => consumedTraceId, { timeoutMs: 10_000 });
      expect(consumedTraceId).to.equal(traceId);
      const inTrace = () => spans.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
      await waitFor("the consumer's span to end", () => inTrace().some((s) => s.kind === SpanKind.CONSUMER));
      const kinds = new Set(inTrace().map((s) => s.kind));
      expect([...kinds]).to.include.members([SpanKind.INTERNAL, SpanKind.CLIENT, SpanKind.SERVER, SpanKind.CONSUMER]);
      expect(inTrace().find((s) => s.kind === SpanKind.SERVER)?.name).to.equal(
        "marquee.catalog.v1.CatalogService/PublishEvent",
      );
    });
  });
});
