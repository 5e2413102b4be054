import { randomUUID } from "node:crypto";
import { adminToken, organizerToken } from "@marquee/mesh/testing";
import type { VenueSeat } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { expect } from "chai";
import { useCatalog } from "../support/catalog.js";
import { badFields, Code, failureOf } from "../support/errors.js";
import { arena } from "../support/fixtures.js";

describe("CatalogService.ListVenueSeats", () => {
  const catalog = useCatalog();
  const owner = randomUUID();
  let venueId = "";

  before(async () => {
    const { venue } = await catalog.client.createVenue({ venue: arena() }, { token: await organizerToken(owner) });
    venueId = venue?.id ?? "";
  });

  async function allSeats(sectionId = "", pageSize = 0, id = venueId): Promise<VenueSeat[]> {
    const token = await organizerToken(owner);
    const seats: VenueSeat[] = [];
    let pageToken = "";
    do {
      const page = await catalog.client.listVenueSeats({ venueId: id, sectionId, pageSize, pageToken }, { token });
      expect(page.seats.length).to.be.at.most(pageSize || 1000);
      seats.push(...page.seats);
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    return seats;
  }

  it("pages through every seat of the venue in map order, each once", async () => {
    const seats = await allSeats("", 7);
    expect(seats).to.have.length(204);
    expect(new Set(seats.map((seat) => seat.id)).size).to.equal(204);
    expect(seats.slice(0, 2).map((seat) => seat.id)).to.deep.equal(["lower-bowl:A-1", "lower-bowl:A-2"]);
    expect(seats.at(-1)?.id).to.equal("box:A-4");
  });

  it("shows each seat's section, row, label, position and class", async () => {
    const [bowl] = await allSeats("lower-bowl");
    const [box] = await allSeats("box");
    expect(bowl).to.include({ id: "lower-bowl:A-1", sectionId: "lower-bowl", rowLabel: "A", label: "1", x: 0, y: 5 });
    expect(bowl?.seatClass).to.equal("standard");
    expect(box).to.include({ id: "box:A-1", sectionId: "box", x: 30, y: 0, seatClass: "premium" });
  });

  it("lists one section's seats, and none of a general-admission area", async () => {
    expect((await allSeats("box", 3)).map((seat) => seat.id)).to.deep.equal([
      "box:A-1",
      "box:A-2",
      "box:A-3",
      "box:A-4",
    ]);
    expect(await allSeats("floor")).to.deep.equal([]);
  });

  it("keeps seat ids, labels and classes exactly as given, whatever their characters", async () => {
    const token = await organizerToken(owner);
    const odd = [`a"b\\c`, "{x,y}", "NULL", "it's", "সিট ১", ""];
    const { venue } = await catalog.client.createVenue(
      {
        venue: arena({
          name: "Odd labels",
          sections: [
            {
              id: "odd",
              name: "Odd",
              layout: {
                case: "seated",
                value: {
                  rows: [
                    {
                      label: "R,1",
                      seats: odd.map((id, i) => ({ id, label: `${i}"`, seatClass: `c\\${i}`, x: i / 3, y: -1.5 })),
                    },
                  ],
                },
              },
            },
          ],
        }),
      },
      { token },
    );
    const seats = await allSeats("", 0, venue?.id);
    expect(seats.map((seat) => [seat.id, seat.rowLabel, seat.label, seat.seatClass, seat.x, seat.y])).to.deep.equal(
      odd.map((id, i) => [id || `odd:R,1-${i}"`, "R,1", `${i}"`, `c\\${i}`, i / 3, -1.5]),
    );
  });

  it("lists the map as it is after UpdateVenue replaced it", async () => {
    const token = await organizerToken(owner);
    const { venue } = await catalog.client.createVenue({ venue: arena({ name: "Renovated" }) }, { token });
    await catalog.client.updateVenue(
      {
        venue: {
          id: venue?.id ?? "",
          sections: [
            { name: "Pit", layout: { case: "seated", value: { generator: { rowCount: 1, seatsPerRow: 3 } } } },
          ],
        },
        updateMask: { paths: ["sections"] },
      },
      { token },
    );
    expect((await allSeats("", 0, venue?.id)).map((seat) => seat.id)).to.deep.equal(["pit:A-1", "pit:A-2", "pit:A-3"]);
  });

  it("answers NOT_FOUND to another organizer, as for a venue that does not exist, and serves an admin", async () => {
    const other = await failureOf(catalog.client.listVenueSeats({ venueId }, { token: await organizerToken() }));
    const unknown = await failureOf(
      catalog.client.listVenueSeats({ venueId: randomUUID() }, { token: await organizerToken(owner) }),
    );
    expect(other.code).to.equal(Code.NotFound);
    expect(unknown.code).to.equal(Code.NotFound);
    const { seats } = await catalog.client.listVenueSeats({ venueId, pageSize: 1 }, { token: await adminToken() });
    expect(seats.map((seat) => seat.id)).to.deep.equal(["lower-bowl:A-1"]);
  });

  it("answers INVALID_ARGUMENT for an unknown section and for a token of other filters", async () => {
    const token = await organizerToken(owner);
    const unknown = await failureOf(catalog.client.listVenueSeats({ venueId, sectionId: "balcony" }, { token }));
    expect(badFields(unknown)).to.deep.equal(["section_id"]);
    const page = await catalog.client.listVenueSeats({ venueId, pageSize: 1 }, { token });
    const error = await failureOf(
      catalog.client.listVenueSeats({ venueId, sectionId: "box", pageToken: page.nextPageToken }, { token }),
    );
    expect(error.code).to.equal(Code.InvalidArgument);
    expect(badFields(error)).to.deep.equal(["page_token"]);
    expect(
      badFields(await failureOf(catalog.client.listVenueSeats({ venueId, pageSize: -1 }, { token }))),
    ).to.deep.equal(["page_size"]);
  });
});
