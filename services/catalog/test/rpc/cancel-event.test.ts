import { startCatalogWithInventory } from "@marquee/inventory/testing";
import { customerToken, organizerToken, testId } from "@marquee/mesh/testing";
import { EventState } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { EventCancelledSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import { HoldState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { expect } from "chai";
import { countAllRows, createEventOn, useCatalog } from "../support/catalog.js";
import { badFields, Code, failureOf, preconditions } from "../support/errors.js";
import { arena, concert } from "../support/fixtures.js";
import { outboxOf, payloadOf } from "../support/outbox.js";

describe("CatalogService.CancelEvent", () => {
  const catalog = useCatalog(startCatalogWithInventory);

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

  it("has inventory close the event's sales before it answers: live holds are released, new ones refused", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, arena(), concert);
    const buyer = await customerToken(testId("early-bird"));
    const { hold } = await catalog.inventory.client.holdBestAvailable(
      { eventId: event.id, quantity: 2 },
      { token: buyer },
    );
    await catalog.client.cancelEvent({ eventId: event.id, reason: "Artist ill" }, { token });
    const after = await catalog.inventory.client.getHold({ holdId: hold?.id ?? "" }, { token: buyer });
    expect(after.hold?.state).to.equal(HoldState.RELEASED);
    const refused = await failureOf(
      catalog.inventory.client.holdBestAvailable({ eventId: event.id, quantity: 1 }, { token: buyer }),
    );
    expect(refused.code).to.equal(Code.FailedPrecondition);
    expect(preconditions(refused)).to.deep.equal([{ type: "EVENT_CANCELLED", subject: `event:${event.id}` }]);
  });

  it("cancels when called again after inventory closed the sales but the cancellation did not commit", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, arena(), concert);
    // What a first CancelEvent leaves when it fails after CloseSales answered: closed sales, a PUBLISHED event.
    await catalog.inventory.internal.closeSales({ eventId: event.id });
    expect((await catalog.client.getEvent({ eventId: event.id })).event?.state).to.equal(EventState.PUBLISHED);
    const { event: cancelled } = await catalog.client.cancelEvent({ eventId: event.id, reason: "Storm" }, { token });
    expect(cancelled?.state).to.equal(EventState.CANCELLED);
    expect((await outboxOf(catalog.orm, event.id)).map((envelope) => envelope.type)).to.include(
      "marquee.events.v1.EventCancelled",
    );
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

  describe("when inventory cannot close the event's sales", () => {
    // Started without an inventory: nothing listens where it calls one.
    const alone = useCatalog();

    it("answers UNAVAILABLE and changes nothing: the event stays PUBLISHED, no EventCancelled is written", async () => {
      const token = await organizerToken();
      const { event } = await createEventOn(alone, token, arena(), concert);
      const before = await countAllRows(alone.orm);
      const error = await failureOf(alone.client.cancelEvent({ eventId: event.id, reason: "Artist ill" }, { token }));
      expect(error.code).to.equal(Code.Unavailable);
      expect(error.rawMessage).to.match(/^inventory could not close the event's sales/);
      expect((await alone.client.getEvent({ eventId: event.id })).event).to.include({
        state: EventState.PUBLISHED,
        cancelReason: "",
      });
      expect(await countAllRows(alone.orm)).to.deep.equal(before);
    });
  });
});
