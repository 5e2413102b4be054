import { randomUUID } from "node:crypto";
import { adminToken, organizerToken } from "@marquee/mesh/testing";
import { expect } from "chai";
import { useCatalog } from "../support/catalog.js";
import { badFields, Code, failureOf } from "../support/errors.js";
import { arena } from "../support/fixtures.js";

describe("CatalogService.GetVenue", () => {
  const catalog = useCatalog();
  let venueId = "";

  before(async () => {
    const { venue } = await catalog.client.createVenue({ venue: arena() }, { token: await organizerToken() });
    venueId = venue?.id ?? "";
  });

  it("returns the caller's venue with its sections, their capacities and bounds, without their seats", async () => {
    const { venue } = await catalog.client.getVenue({ venueId }, { token: await organizerToken() });
    expect(venue?.name).to.equal("Dhaka Arena");
    expect(venue?.capacity).to.equal(704);
    expect(venue?.sections.map((s) => [s.id, s.layout.case, s.capacity])).to.deep.equal([
      ["floor", "generalAdmission", 500],
      ["lower-bowl", "seated", 200],
      ["box", "seated", 4],
    ]);
    const seats = venue?.sections.flatMap((s) => (s.layout.case === "seated" ? s.layout.value.rows : []));
    expect(seats).to.deep.equal([]);
    expect(venue?.sections[1]).to.include({ minX: 0, minY: 5, maxX: 19, maxY: 14 });
  });

  it("answers NOT_FOUND to another organizer, as for a venue that does not exist", async () => {
    const other = await failureOf(catalog.client.getVenue({ venueId }, { token: await organizerToken(randomUUID()) }));
    const unknown = await failureOf(
      catalog.client.getVenue({ venueId: randomUUID() }, { token: await organizerToken() }),
    );
    expect(other.code).to.equal(Code.NotFound);
    expect(unknown.code).to.equal(Code.NotFound);
  });

  it("shows any venue to an admin", async () => {
    const { venue } = await catalog.client.getVenue({ venueId }, { token: await adminToken() });
    expect(venue?.id).to.equal(venueId);
  });

  it("answers INVALID_ARGUMENT for an id that is not a UUID", async () => {
    const error = await failureOf(catalog.client.getVenue({ venueId: "arena" }, { token: await organizerToken() }));
    expect(badFields(error)).to.deep.equal(["venue_id"]);
  });
});
