import { randomUUID } from "node:crypto";
import { startCatalogWithInventory } from "@marquee/inventory/testing";
import { organizerToken } from "@marquee/mesh/testing";
import { expect } from "chai";
import { countRows, createEventOn, useCatalog } from "../support/catalog.js";
import { Code, failureOf, preconditions } from "../support/errors.js";
import { arena, concert } from "../support/fixtures.js";

describe("CatalogService.DeleteVenue", () => {
  const catalog = useCatalog(startCatalogWithInventory);

  it("deletes an unused venue with its seat map", async () => {
    const token = await organizerToken();
    const { venue } = await catalog.client.createVenue({ venue: arena() }, { token });
    const seatsBefore = await countRows(catalog.orm, "venue_seat");
    await catalog.client.deleteVenue({ venueId: venue?.id ?? "" }, { token });
    expect((await failureOf(catalog.client.getVenue({ venueId: venue?.id ?? "" }, { token }))).code).to.equal(
      Code.NotFound,
    );
    expect(await countRows(catalog.orm, "venue_seat")).to.equal(seatsBefore - 204);
  });

  it("answers FAILED_PRECONDITION while a draft or a published event uses the venue", async () => {
    const token = await organizerToken();
    const { venue } = await createEventOn(catalog, token, arena(), concert, false);
    const error = await failureOf(catalog.client.deleteVenue({ venueId: venue.id }, { token }));
    expect(error.code).to.equal(Code.FailedPrecondition);
    expect(preconditions(error)).to.deep.equal([{ type: "VENUE_IN_USE", subject: `venue:${venue.id}` }]);
  });

  it("deletes a venue whose events are all cancelled; they keep their frozen maps", async () => {
    const token = await organizerToken();
    const { venue, event } = await createEventOn(catalog, token, arena(), concert);
    await catalog.client.cancelEvent({ eventId: event.id, reason: "Storm" }, { token });
    await catalog.client.deleteVenue({ venueId: venue.id }, { token });
    const seats = await catalog.client.listSeats({ eventId: event.id, pageSize: 5000 });
    expect(seats.seats).to.have.length(204);
  });

  it("answers NOT_FOUND to another organizer", async () => {
    const { venue } = await catalog.client.createVenue({ venue: arena() }, { token: await organizerToken() });
    const error = await failureOf(
      catalog.client.deleteVenue({ venueId: venue?.id ?? "" }, { token: await organizerToken(randomUUID()) }),
    );
    expect(error.code).to.equal(Code.NotFound);
  });
});
