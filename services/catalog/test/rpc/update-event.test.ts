import { randomUUID } from "node:crypto";
import { startCatalogWithInventory } from "@marquee/inventory/testing";
import { organizerToken } from "@marquee/mesh/testing";
import { EventUpdatedSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import { expect } from "chai";
import { countAllRows, createEventOn, useCatalog } from "../support/catalog.js";
import { badFields, Code, failureOf, preconditions } from "../support/errors.js";
import { arena, at, coach, coachTrip, concert, route } from "../support/fixtures.js";
import { outboxOf, payloadOf } from "../support/outbox.js";

describe("CatalogService.UpdateEvent", () => {
  const catalog = useCatalog(startCatalogWithInventory);

  it("changes the fields of a draft named in the mask and nothing else", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, arena(), concert, false);
    const { event: updated } = await catalog.client.updateEvent(
      {
        event: { id: event.id, title: "Arctic Monkeys — Dhaka, night two", description: "ignored" },
        updateMask: { paths: ["title"] },
      },
      { token },
    );
    expect(updated?.title).to.equal("Arctic Monkeys — Dhaka, night two");
    expect(updated?.description).to.equal(event.description);
    expect(updated?.priceTiers).to.deep.equal(event.priceTiers);
  });

  it("changes everything a draft may change with an empty mask, venue included", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, arena(), concert, false);
    const other = await catalog.client.createVenue(
      { venue: arena({ name: "Other Arena", city: "Sylhet" }) },
      { token },
    );
    const { event: updated } = await catalog.client.updateEvent(
      { event: concert(other.venue?.id ?? "", { id: event.id, title: "Moved" }) },
      { token },
    );
    expect(updated).to.include({ title: "Moved", venueName: "Other Arena", city: "Sylhet" });
  });

  it("answers INVALID_ARGUMENT for a change that would leave the event invalid, and writes nothing", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, arena(), concert, false);
    const before = await countAllRows(catalog.orm);
    const error = await failureOf(
      catalog.client.updateEvent(
        { event: { id: event.id, endTime: at(29) }, updateMask: { paths: ["end_time"] } },
        { token },
      ),
    );
    expect(badFields(error)).to.deep.equal(["event.end_time"]);
    expect(await countAllRows(catalog.orm)).to.deep.equal(before);
    expect((await catalog.client.getEvent({ eventId: event.id }, { token })).event?.endTime).to.deep.equal(
      event.endTime,
    );
  });

  it("answers INVALID_ARGUMENT for the kind or an unknown field in the mask", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, arena(), concert, false);
    const error = await failureOf(
      catalog.client.updateEvent(
        { event: { id: event.id }, updateMask: { paths: ["kind", "state", "title"] } },
        { token },
      ),
    );
    expect(badFields(error)).to.deep.equal(["update_mask.paths[0]", "update_mask.paths[1]"]);
  });

  it("lets a published event change its title and prices, and writes EventUpdated naming what changed", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, arena(), concert);
    const priceTiers = event.priceTiers.map(({ id, name, sectionIds, seatClasses }) => ({
      id,
      name,
      sectionIds,
      seatClasses,
      price: { amountMinor: 99_000n },
    }));
    const { event: updated } = await catalog.client.updateEvent(
      { event: { id: event.id, title: "Sold out soon", priceTiers }, updateMask: { paths: ["title", "price_tiers"] } },
      { token },
    );
    expect(updated?.priceTiers.map((tier) => tier.price?.amountMinor)).to.deep.equal([99_000n, 99_000n, 99_000n]);
    const envelopes = await outboxOf(catalog.orm, event.id);
    expect(envelopes.map((envelope) => envelope.type)).to.deep.equal([
      "marquee.events.v1.EventPublished",
      "marquee.events.v1.EventUpdated",
    ]);
    const [, updatedEnvelope] = envelopes;
    if (!updatedEnvelope) throw new Error("no EventUpdated");
    const changed = payloadOf(updatedEnvelope, EventUpdatedSchema);
    expect(changed.changedFields).to.deep.equal(["title", "price_tiers"]);
    expect(changed.event?.title).to.equal("Sold out soon");
    expect(changed.event?.lowestPrice?.amountMinor).to.equal(99_000n);
  });

  it("writes no EventUpdated when a published event is sent back unchanged", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, arena(), concert);
    await catalog.client.updateEvent({ event }, { token });
    expect((await outboxOf(catalog.orm, event.id)).map((envelope) => envelope.type)).to.deep.equal([
      "marquee.events.v1.EventPublished",
    ]);
  });

  it("answers FAILED_PRECONDITION naming each field a published event cannot change: venue, stops, times", async () => {
    const token = await organizerToken();
    const { venue, event } = await createEventOn(catalog, token, coach(), coachTrip);
    const other = await catalog.client.createVenue({ venue: coach() }, { token });
    const error = await failureOf(
      catalog.client.updateEvent(
        { event: coachTrip(other.venue?.id ?? "", { id: event.id, stops: route(21) }) },
        { token },
      ),
    );
    expect(error.code).to.equal(Code.FailedPrecondition);
    expect(preconditions(error).map((v) => v.subject)).to.deep.equal([
      "event.venue_id",
      "event.start_time",
      "event.end_time",
      "event.stops",
    ]);
    const unchanged = await catalog.client.getEvent({ eventId: event.id });
    expect(unchanged.event?.venueId).to.equal(venue.id);
  });

  it("answers FAILED_PRECONDITION when a published event would lose a price", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, arena(), concert);
    const error = await failureOf(
      catalog.client.updateEvent(
        { event: { id: event.id, priceTiers: event.priceTiers.slice(1) }, updateMask: { paths: ["price_tiers"] } },
        { token },
      ),
    );
    expect(error.code).to.equal(Code.FailedPrecondition);
    expect(preconditions(error)).to.deep.equal([{ type: "UNPRICED_SECTION", subject: "section:floor" }]);
  });

  it("answers FAILED_PRECONDITION for a cancelled event", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, arena(), concert);
    await catalog.client.cancelEvent({ eventId: event.id, reason: "Illness" }, { token });
    const error = await failureOf(
      catalog.client.updateEvent(
        { event: { id: event.id, title: "Back on" }, updateMask: { paths: ["title"] } },
        { token },
      ),
    );
    expect(error.code).to.equal(Code.FailedPrecondition);
  });

  it("answers NOT_FOUND to another organizer, even for a published event", async () => {
    const { event } = await createEventOn(catalog, await organizerToken(), arena(), concert);
    const error = await failureOf(
      catalog.client.updateEvent(
        { event: { id: event.id, title: "Mine" }, updateMask: { paths: ["title"] } },
        { token: await organizerToken(randomUUID()) },
      ),
    );
    expect(error.code).to.equal(Code.NotFound);
  });
});
