import { randomUUID } from "node:crypto";
import { adminToken, organizerToken } from "@marquee/mesh/testing";
import { expect } from "chai";
import { useCatalog } from "../support/catalog.js";
import { badFields, failureOf } from "../support/errors.js";
import { arena } from "../support/fixtures.js";

describe("CatalogService.ListVenues", () => {
  const catalog = useCatalog();
  const owner = randomUUID();
  const created: string[] = [];

  before(async () => {
    const token = await organizerToken(owner);
    for (let i = 0; i < 5; i++) {
      const { venue } = await catalog.client.createVenue({ venue: arena({ name: `Hall ${i}` }) }, { token });
      created.push(venue?.id ?? "");
    }
    await catalog.client.createVenue({ venue: arena({ name: "Someone else's" }) }, { token: await organizerToken() });
  });

  it("pages through the caller's venues, newest first, each once", async () => {
    const token = await organizerToken(owner);
    const seen: string[] = [];
    let pageToken = "";
    do {
      const page = await catalog.client.listVenues({ pageSize: 2, pageToken }, { token });
      expect(page.venues.length).to.be.at.most(2);
      seen.push(...page.venues.map((venue) => venue.id));
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    expect(seen).to.deep.equal([...created].reverse());
  });

  it("lists sections without their seats", async () => {
    const { venues } = await catalog.client.listVenues({ pageSize: 1 }, { token: await organizerToken(owner) });
    const bowl = venues[0]?.sections[1]?.layout;
    expect(venues[0]?.sections).to.have.length(3);
    expect(bowl?.case === "seated" ? bowl.value.rows : undefined).to.deep.equal([]);
    expect(venues[0]?.sections.map((section) => section.capacity)).to.deep.equal([500, 200, 4]);
  });

  it("lists every organizer's venues to an admin", async () => {
    const { venues } = await catalog.client.listVenues({ pageSize: 200 }, { token: await adminToken() });
    expect(venues.map((venue) => venue.name)).to.include.members(["Hall 0", "Someone else's"]);
  });

  it("answers INVALID_ARGUMENT for a page token it did not return", async () => {
    const error = await failureOf(
      catalog.client.listVenues({ pageToken: "bm90IGEgdG9rZW4" }, { token: await organizerToken(owner) }),
    );
    expect(badFields(error)).to.deep.equal(["page_token"]);
  });
});
