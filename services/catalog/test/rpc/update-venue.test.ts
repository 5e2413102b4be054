import { randomUUID } from "node:crypto";
import { organizerToken } from "@marquee/mesh/testing";
import { expect } from "chai";
import { createEventOn, useCatalog } from "../support/catalog.js";
import { badFields, Code, failureOf } from "../support/errors.js";
import { arena, concert } from "../support/fixtures.js";

const smallerMap = [
  { name: "Floor", layout: { case: "generalAdmission", value: { capacity: 100 } } },
  { name: "Lower Bowl", layout: { case: "seated", value: { generator: { rowCount: 2, seatsPerRow: 5 } } } },
  {
    id: "box",
    name: "VIP Box",
    layout: { case: "seated", value: { generator: { rowCount: 1, seatsPerRow: 2, seatClass: "premium" } } },
  },
] as const;

describe("CatalogService.UpdateVenue", () => {
  const catalog = useCatalog();

  it("changes only the fields of the update mask", async () => {
    const token = await organizerToken();
    const { venue } = await catalog.client.createVenue({ venue: arena() }, { token });
    const updated = await catalog.client.updateVenue(
      { venue: { id: venue?.id, name: "Bashundhara Arena", city: "ignored" }, updateMask: { paths: ["name"] } },
      { token },
    );
    expect(updated.venue?.name).to.equal("Bashundhara Arena");
    expect(updated.venue?.city).to.equal("Dhaka");
    expect(updated.venue?.capacity).to.equal(704);
  });

  it("replaces the seat map when sections change, and the drafts on the venue follow it", async () => {
    const token = await organizerToken();
    const { venue, event } = await createEventOn(catalog, token, arena(), concert, false);
    const updated = await catalog.client.updateVenue(
      { venue: { id: venue.id, sections: [...smallerMap] }, updateMask: { paths: ["sections"] } },
      { token },
    );
    expect(updated.venue?.capacity).to.equal(112);
    const draft = await catalog.client.getEvent({ eventId: event.id }, { token });
    expect(draft.event?.capacity).to.equal(112);
    const seats = await catalog.client.listSeats({ eventId: event.id }, { token });
    expect(seats.seats.map((seat) => seat.id)).to.include("box:A-2");
  });

  it("leaves the frozen seat map of a published event as it was published", async () => {
    const token = await organizerToken();
    const { venue, event } = await createEventOn(catalog, token, arena(), concert);
    const before = await catalog.client.listSeats({ eventId: event.id, pageSize: 5000 });
    const mapBefore = await catalog.client.getSeatMap({ eventId: event.id });
    await catalog.client.updateVenue(
      {
        venue: { id: venue.id, name: "Renamed", sections: [...smallerMap] },
        updateMask: { paths: ["name", "sections"] },
      },
      { token },
    );
    const after = await catalog.client.listSeats({ eventId: event.id, pageSize: 5000 });
    expect(after.seats).to.deep.equal(before.seats);
    expect(after.seats).to.have.length(204);
    expect(await catalog.client.getSeatMap({ eventId: event.id })).to.deep.equal(mapBefore);
    expect((await catalog.client.getEvent({ eventId: event.id })).event?.venueName).to.equal("Dhaka Arena");
  });

  it("answers NOT_FOUND to another organizer", async () => {
    const { venue } = await catalog.client.createVenue({ venue: arena() }, { token: await organizerToken() });
    const error = await failureOf(
      catalog.client.updateVenue(
        { venue: { id: venue?.id, name: "Mine now" }, updateMask: { paths: ["name"] } },
        { token: await organizerToken(randomUUID()) },
      ),
    );
    expect(error.code).to.equal(Code.NotFound);
  });

  it("answers INVALID_ARGUMENT for an unknown mask path and for bad fields it names", async () => {
    const token = await organizerToken();
    const { venue } = await catalog.client.createVenue({ venue: arena() }, { token });
    const error = await failureOf(
      catalog.client.updateVenue(
        { venue: { id: venue?.id, name: "" }, updateMask: { paths: ["name", "capacity", "sections"] } },
        { token },
      ),
    );
    expect(badFields(error)).to.deep.equal(["update_mask.paths[1]", "venue.name", "venue.sections"]);
  });
});
