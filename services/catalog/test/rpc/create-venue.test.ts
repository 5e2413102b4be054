import { customerToken, organizerToken, testUserIds } from "@marquee/mesh/testing";
import { expect } from "chai";
import { countAllRows, useCatalog } from "../support/catalog.js";
import { badFields, Code, failureOf } from "../support/errors.js";
import { arena, coach } from "../support/fixtures.js";

describe("CatalogService.CreateVenue", () => {
  const catalog = useCatalog();

  it("creates a venue owned by the caller, with generated rows expanded and ids assigned", async () => {
    const { venue } = await catalog.client.createVenue({ venue: arena() }, { token: await organizerToken() });
    expect(venue?.id).to.match(/^[0-9a-f-]{36}$/);
    expect(venue?.organizerId).to.equal(testUserIds.organizer);
    expect(venue?.capacity).to.equal(704);
    expect(venue?.sections.map((section) => [section.id, section.layout.case])).to.deep.equal([
      ["floor", "generalAdmission"],
      ["lower-bowl", "seated"],
      ["box", "seated"],
    ]);
    const bowl = venue?.sections[1]?.layout;
    const rows = bowl?.case === "seated" ? bowl.value.rows : [];
    expect(rows).to.have.length(10);
    expect(rows[9]?.label).to.equal("J");
    expect(rows[9]?.seats[19]).to.include({ id: "lower-bowl:J-20", label: "20", x: 19, y: 14, seatClass: "standard" });
  });

  it("lays out a 2+2 coach with its aisle", async () => {
    const { venue } = await catalog.client.createVenue({ venue: coach() }, { token: await organizerToken() });
    const cabin = venue?.sections[0]?.layout;
    const firstRow = cabin?.case === "seated" ? cabin.value.rows[0] : undefined;
    expect(firstRow?.seats.map((seat) => [seat.id, seat.x])).to.deep.equal([
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
