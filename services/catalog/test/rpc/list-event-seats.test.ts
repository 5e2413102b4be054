import { organizerToken } from "@marquee/mesh/testing";
import type { EventSeat } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { expect } from "chai";
import { createEventOn, useCatalog } from "../support/catalog.js";
import { badFields, Code, failureOf } from "../support/errors.js";
import { arena, concert } from "../support/fixtures.js";

describe("CatalogInternalService.ListEventSeats", () => {
  const catalog = useCatalog();
  let eventId = "";

  before(async () => {
    eventId = (await createEventOn(catalog, await organizerToken(), arena(), concert)).event.id;
  });

  it("pages through the frozen map in index order, every seat exactly once with a dense index", async () => {
    const seats: EventSeat[] = [];
    let pageToken = "";
    let pages = 0;
    do {
      const page = await catalog.internal.listEventSeats({ eventId, pageSize: 50, pageToken });
      seats.push(...page.seats);
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken !== "");
    expect(pages).to.equal(5);
    expect(seats.map((seat) => seat.index)).to.deep.equal(Array.from({ length: 204 }, (_, i) => i));
    expect(new Set(seats.map((seat) => seat.id)).size).to.equal(204);
  });

  it("answers NOT_FOUND for a draft and INVALID_ARGUMENT for a bad page token", async () => {
    const draft = (await createEventOn(catalog, await organizerToken(), arena(), concert, false)).event.id;
    expect((await failureOf(catalog.internal.listEventSeats({ eventId: draft }))).code).to.equal(Code.NotFound);
    const error = await failureOf(catalog.internal.listEventSeats({ eventId, pageToken: "!!" }));
    expect(badFields(error)).to.deep.equal(["page_token"]);
  });
});
