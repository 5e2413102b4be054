import { randomUUID } from "node:crypto";
import { organizerToken } from "@marquee/mesh/testing";
import { expect } from "chai";
import { createEventOn, useCatalog } from "../support/catalog.js";
import { Code, failureOf } from "../support/errors.js";
import { arena, concert } from "../support/fixtures.js";

describe("CatalogService.GetSeatMap", () => {
  const catalog = useCatalog();

  it("shows anyone a published event's sections with capacities, price tiers and bounds", async () => {
    const { event } = await createEventOn(catalog, await organizerToken(), arena(), concert);
    const map = await catalog.client.getSeatMap({ eventId: event.id });
    expect(map.capacity).to.equal(704);
    expect(map.priceTiers.map((tier) => tier.id)).to.deep.equal(["floor", "bowl", "premium"]);
    expect(
      map.sections.map(({ id, isGeneralAdmission, capacity, priceTierId }) => [
        id,
        isGeneralAdmission,
        capacity,
        priceTierId,
      ]),
    ).to.deep.equal([
      ["floor", true, 500, "floor"],
      ["lower-bowl", false, 200, ""],
      ["box", false, 4, ""],
    ]);
    expect(map.sections[1]).to.include({ minX: 0, minY: 5, maxX: 19, maxY: 14 });
  });

  it("shows the organizer a draft's map as its venue is now", async () => {
    const token = await organizerToken();
    const { event } = await createEventOn(catalog, token, arena(), concert, false);
    const map = await catalog.client.getSeatMap({ eventId: event.id }, { token });
    expect(map.sections.map((section) => section.id)).to.deep.equal(["floor", "lower-bowl", "box"]);
  });

  it("answers NOT_FOUND for another organizer's draft", async () => {
    const { event } = await createEventOn(catalog, await organizerToken(), arena(), concert, false);
    const error = await failureOf(
      catalog.client.getSeatMap({ eventId: event.id }, { token: await organizerToken(randomUUID()) }),
    );
    expect(error.code).to.equal(Code.NotFound);
  });
});
