import { organizerToken } from "@marquee/mesh/testing";
import type { EventSeat } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { expect } from "chai";
import { createEventOn, useCatalog } from "../support/catalog.js";
import { badFields, Code, failureOf } from "../support/errors.js";
import { arena, concert } from "../support/fixtures.js";

describe("CatalogService.ListSeats", () => {
  const catalog = useCatalog();
  let eventId = "";

  before(async () => {
    eventId = (await createEventOn(catalog, await organizerToken(), arena(), concert)).event.id;
  });

  async function allSeats(sectionId = "", pageSize = 0): Promise<EventSeat[]> {
    const seats: EventSeat[] = [];
    let pageToken = "";
    do {
      const page = await catalog.client.listSeats({ eventId, sectionId, pageSize, pageToken });
      seats.push(...page.seats);
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    return seats;
  }

  it("pages through every seat in map order, each once", async () => {
    const seats = await allSeats("", 7);
    expect(seats).to.have.length(204);
    expect(seats.map((seat) => seat.index)).to.deep.equal(Array.from({ length: 204 }, (_, i) => i));
    expect(seats.slice(0, 2).map((seat) => seat.id)).to.deep.equal(["lower-bowl:A-1", "lower-bowl:A-2"]);
    expect(seats.at(-1)?.id).to.equal("box:A-4");
  });

  it("shows each seat's position, class and price tier", async () => {
    const [bowl] = await allSeats("lower-bowl");
    const [box] = await allSeats("box");
    expect(bowl).to.include({
      sectionId: "lower-bowl",
      rowLabel: "A",
      label: "1",
      x: 0,
      y: 5,
      seatClass: "standard",
      priceTierId: "bowl",
    });
    expect(box).to.include({ seatClass: "premium", priceTierId: "premium", index: 200 });
  });

  it("lists one section's seats", async () => {
    const seats = await allSeats("box", 3);
    expect(seats.map((seat) => seat.id)).to.deep.equal(["box:A-1", "box:A-2", "box:A-3", "box:A-4"]);
  });

  it("answers INVALID_ARGUMENT for an unknown section and for a bad page token", async () => {
    expect(badFields(await failureOf(catalog.client.listSeats({ eventId, sectionId: "balcony" })))).to.deep.equal([
      "section_id",
    ]);
    const page = await catalog.client.listSeats({ eventId, pageSize: 1 });
    const error = await failureOf(
      catalog.client.listSeats({ eventId, sectionId: "box", pageToken: page.nextPageToken }),
    );
    expect(error.code).to.equal(Code.InvalidArgument);
    expect(badFields(error)).to.deep.equal(["page_token"]);
  });
});
