import { randomUUID } from "node:crypto";
import { startCatalogWithInventory } from "@marquee/inventory/testing";
import { organizerToken } from "@marquee/mesh/testing";
import { expect } from "chai";
import { createEventOn, useCatalog } from "../support/catalog.js";
import { Code, failureOf, preconditions } from "../support/errors.js";
import { arena, concert } from "../support/fixtures.js";

describe("CatalogService.DeleteEvent", () => {
  const catalog = useCatalog(startCatalogWithInventory);

  it("deletes a draft for good", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, arena(), concert, false);
    await catalog.client.deleteEvent({ eventId: event.id }, { token });
    expect((await failureOf(catalog.client.getEvent({ eventId: event.id }, { token }))).code).to.equal(Code.NotFound);
    expect((await failureOf(catalog.client.deleteEvent({ eventId: event.id }, { token }))).code).to.equal(
      Code.NotFound,
    );
  });

  it("answers FAILED_PRECONDITION for a published event, which is cancelled instead", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, arena(), concert);
    const error = await failureOf(catalog.client.deleteEvent({ eventId: event.id }, { token }));
    expect(error.code).to.equal(Code.FailedPrecondition);
    expect(preconditions(error)).to.deep.equal([{ type: "NOT_A_DRAFT", subject: `event:${event.id}` }]);
    expect((await catalog.client.getEvent({ eventId: event.id })).event?.id).to.equal(event.id);
  });

  it("answers FAILED_PRECONDITION for a cancelled event", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, arena(), concert);
    await catalog.client.cancelEvent({ eventId: event.id, reason: "Venue closed" }, { token });
    expect((await failureOf(catalog.client.deleteEvent({ eventId: event.id }, { token }))).code).to.equal(
      Code.FailedPrecondition,
    );
  });

  it("answers NOT_FOUND to another organizer and leaves the draft alone", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, arena(), concert, false);
    const error = await failureOf(
      catalog.client.deleteEvent({ eventId: event.id }, { token: await organizerToken(randomUUID()) }),
    );
    expect(error.code).to.equal(Code.NotFound);
    expect((await catalog.client.getEvent({ eventId: event.id }, { token })).event?.id).to.equal(event.id);
  });
});
