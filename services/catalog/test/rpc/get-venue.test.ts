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

  it("returns the caller's venue with its whole seat map", async () => {
    const { venue } = await catalog.client.getVenue({ venueId }, { token: await organizerToken() });
    const seats = venue?.sections.flatMap((s) =>
      (s.layout.case === "seated" ? s.layout.value.rows : []).flatMap((r) => r.seats),
    );
    expect(seats).to.have.length(204);
    expect(venue?.name).to.equal("Dhaka Arena");
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
