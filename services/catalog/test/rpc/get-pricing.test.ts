import { organizerToken } from "@marquee/mesh/testing";
import { expect } from "chai";
import { createEventOn, useCatalog } from "../support/catalog.js";
import { Code, failureOf } from "../support/errors.js";
import { arena, coach, coachTrip, concert } from "../support/fixtures.js";

describe("CatalogInternalService.GetPricing", () => {
  const catalog = useCatalog();

  it("gives an event's price tiers in its currency", async () => {
    const { event } = await createEventOn(catalog, await organizerToken(), arena(), concert);
    const pricing = await catalog.internal.getPricing({ eventId: event.id });
    expect(pricing.currencyCode).to.equal("BDT");
    expect(pricing.priceTiers).to.deep.equal(event.priceTiers);
    expect(pricing.fares).to.deep.equal([]);
  });

  it("gives a trip's fares and its stops in route order", async () => {
    const { event } = await createEventOn(catalog, await organizerToken(), coach(), coachTrip);
    const pricing = await catalog.internal.getPricing({ eventId: event.id });
    expect(pricing.fares).to.deep.equal(event.fares);
    expect(pricing.stopIds).to.deep.equal(["dhaka", "faridpur", "jessore", "kolkata"]);
  });

  it("answers NOT_FOUND for a draft", async () => {
    const { event } = await createEventOn(catalog, await organizerToken(), arena(), concert, false);
    expect((await failureOf(catalog.internal.getPricing({ eventId: event.id }))).code).to.equal(Code.NotFound);
  });
});
