import { organizerToken } from "@marquee/mesh/testing";
import { EventState } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { EventCancelledSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import { expect } from "chai";
import { countAllRows, createEventOn, useCatalog } from "../support/catalog.js";
import { badFields, Code, failureOf } from "../support/errors.js";
import { arena, concert } from "../support/fixtures.js";
import { outboxOf, payloadOf } from "../support/outbox.js";

describe("CatalogService.CancelEvent", () => {
  const catalog = useCatalog();

  it("calls off a published event and writes EventCancelled with the reason", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, arena(), concert);
    const { event: cancelled } = await catalog.client.cancelEvent(
      { eventId: event.id, reason: "Artist ill" },
      { token },
    );
    expect(cancelled).to.include({ state: EventState.CANCELLED, cancelReason: "Artist ill" });
    const envelopes = await outboxOf(catalog.orm, event.id);
    expect(envelopes.map((envelope) => envelope.type)).to.deep.equal([
      "marquee.events.v1.EventPublished",
      "marquee.events.v1.EventCancelled",
    ]);
    const [, cancelledEnvelope] = envelopes;
    expect(payloadOf(cancelledEnvelope ?? ({} as never), EventCancelledSchema)).to.include({
      eventId: event.id,
      reason: "Artist ill",
    });
  });

  it("keeps a cancelled event readable by anyone, and off the list of events on sale", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, arena(), concert);
    await catalog.client.cancelEvent({ eventId: event.id, reason: "Artist ill" }, { token });
    expect((await catalog.client.getEvent({ eventId: event.id })).event?.state).to.equal(EventState.CANCELLED);
    const { events } = await catalog.client.listEvents({ pageSize: 200 });
    expect(events.map((e) => e.id)).to.not.include(event.id);
  });

  it("returns a cancelled event unchanged when cancelled again", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, arena(), concert);
    const first = await catalog.client.cancelEvent({ eventId: event.id, reason: "Storm" }, { token });
    const second = await catalog.client.cancelEvent({ eventId: event.id, reason: "Other reason" }, { token });
    expect(second.event).to.deep.equal(first.event);
    expect(await outboxOf(catalog.orm, event.id)).to.have.length(2);
  });

  it("answers FAILED_PRECONDITION for a draft, which is deleted instead", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, arena(), concert, false);
    expect((await failureOf(catalog.client.cancelEvent({ eventId: event.id, reason: "x" }, { token }))).code).to.equal(
      Code.FailedPrecondition,
    );
  });

  it("answers INVALID_ARGUMENT without a reason, and writes nothing", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, arena(), concert);
    const before = await countAllRows(catalog.orm);
    expect(
      badFields(await failureOf(catalog.client.cancelEvent({ eventId: event.id, reason: " " }, { token }))),
    ).to.deep.equal(["reason"]);
    expect(await countAllRows(catalog.orm)).to.deep.equal(before);
  });
});
