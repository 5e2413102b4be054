import { customerToken, organizerToken, testUserIds } from "@marquee/mesh/testing";
import { expect } from "chai";
import { countAllRows, useCatalog } from "../support/catalog.js";
import { badFields, Code, failureOf } from "../support/errors.js";
import { arena, coach } from "../support/fixtures.js";

describe("CatalogService.CreateVenue", () => {
  const catalog = useCatalog();

  it("creates a venue owned by the caller, with generated rows expanded and ids assigned", async () => {
    const token = await organizerToken();
    const { venue } = await catalog.client.createVenue({ venue: arena() }, { token });
    expect(venue?.id).to.match(/^[0-9a-f-]{36}$/);
    expect(venue?.organizerId).to.equal(testUserIds.organizer);
    expect(venue?.capacity).to.equal(704);
    expect(venue?.sections.map((section) => [section.id, section.layout.case])).to.deep.equal([
      ["floor", "generalAdmission"],
      ["lower-bowl", "seated"],
      ["box", "seated"],
    ]);
    const { seats } = await catalog.client.listVenueSeats(
      { venueId: venue?.id ?? "", sectionId: "lower-bowl", pageSize: 5000 },
      { token },
    );
    expect(seats).to.have.length(200);
    expect(new Set(seats.map((seat) => seat.rowLabel)).size).to.equal(10);
    expect(seats[199]).to.include({ id: "lower-bowl:J-20", rowLabel: "J", label: "20", x: 19, y: 14 });
    expect(seats[199]?.seatClass).to.equal("standard");
  });

  it("answers with the sections' capacities and bounds, without their seats", async () => {
    const { venue } = await catalog.client.createVenue({ venue: arena() }, { token: await organizerToken() });
    const [floor, bowl, box] = venue?.sections ?? [];
    expect(bowl?.layout.case === "seated" ? bowl.layout.value : undefined).to.deep.include({ rows: [] });
    expect(bowl?.layout.case === "seated" ? bowl.layout.value.generator : null).to.equal(undefined);
    expect(bowl).to.include({ capacity: 200, minX: 0, minY: 5, maxX: 19, maxY: 14 });
    expect(box).to.include({ capacity: 4, minX: 30, minY: 0, maxX: 33, maxY: 0 });
    expect(floor).to.include({ capacity: 500, minX: 0, maxX: 0 });
  });

  it("lays out a 2+2 coach with its aisle", async () => {
    const token = await organizerToken();
    const { venue } = await catalog.client.createVenue({ venue: coach() }, { token });
    const { seats } = await catalog.client.listVenueSeats({ venueId: venue?.id ?? "", pageSize: 4 }, { token });
    expect(seats.map((seat) => [seat.id, seat.x])).to.deep.equal([
      ["cabin:A-1", 0],
      ["cabin:A-2", 1],
      ["cabin:A-3", 3],
      ["cabin:A-4", 4],
    ]);
    expect(venue?.capacity).to.equal(40);
  });

  it("answers INVALID_ARGUMENT naming every bad field, and writes nothing", async () => {
    const before = await countAllRows(catalog.orm);
    const error = await failureOf(
      catalog.client.createVenue(
        {
          venue: arena({
            name: "",
            countryCode: "Bangladesh",
            timeZone: "Mars/Olympus",
            sections: [
              { name: "Floor", layout: { case: "generalAdmission", value: { capacity: 0 } } },
              { name: "Grid", layout: { case: "seated", value: { generator: { rowCount: 501, seatsPerRow: 2 } } } },
            ],
          }),
        },
        { token: await organizerToken() },
      ),
    );
    expect(error.code).to.equal(Code.InvalidArgument);
    expect(badFields(error)).to.deep.equal([
      "venue.name",
      "venue.country_code",
      "venue.time_zone",
      "venue.sections[0].general_admission.capacity",
      "venue.sections[1].seated.generator.row_count",
    ]);
    expect(await countAllRows(catalog.orm)).to.deep.equal(before);
  });

  it("answers INVALID_ARGUMENT for a venue without sections", async () => {
    const error = await failureOf(
      catalog.client.createVenue({ venue: arena({ sections: [] }) }, { token: await organizerToken() }),
    );
    expect(badFields(error)).to.deep.equal(["venue.sections"]);
  });

  it("is for organizers: PERMISSION_DENIED to a customer, UNAUTHENTICATED to anonymous callers", async () => {
    expect(
      (await failureOf(catalog.client.createVenue({ venue: arena() }, { token: await customerToken() }))).code,
    ).to.equal(Code.PermissionDenied);
    expect((await failureOf(catalog.client.createVenue({ venue: arena() }))).code).to.equal(Code.Unauthenticated);
  });
});
