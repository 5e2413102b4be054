import { randomUUID } from "node:crypto";
import { adminToken, organizerToken } from "@marquee/mesh/testing";
import { EventState } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { expect } from "chai";
import { createEventOn, useCatalog } from "../support/catalog.js";
import { arena, concert } from "../support/fixtures.js";

describe("CatalogService.ListMyEvents", () => {
  const catalog = useCatalog();
  const owner = randomUUID();

  before(async () => {
    const token = await organizerToken(owner);
    await createEventOn(catalog, token, arena(), (v) => concert(v, { title: "first (published)" }));
    await createEventOn(catalog, token, arena(), (v) => concert(v, { title: "second (draft)" }), false);
    await createEventOn(catalog, token, arena(), (v) => concert(v, { title: "third (draft)" }), false);
    await createEventOn(catalog, await organizerToken(), arena(), (v) => concert(v, { title: "not mine" }), false);
  });

  it("lists the caller's events in every state, newest first, page by page", async () => {
    const token = await organizerToken(owner);
    const first = await catalog.client.listMyEvents({ pageSize: 2 }, { token });
    const second = await catalog.client.listMyEvents({ pageSize: 2, pageToken: first.nextPageToken }, { token });
    expect([...first.events, ...second.events].map((event) => event.title)).to.deep.equal([
      "third (draft)",
      "second (draft)",
      "first (published)",
    ]);
    expect(second.nextPageToken).to.equal("");
  });

  it("filters by state", async () => {
    const { events } = await catalog.client.listMyEvents(
      { state: EventState.PUBLISHED },
      { token: await organizerToken(owner) },
    );
    expect(events.map((event) => event.title)).to.deep.equal(["first (published)"]);
  });

  it("lists everyone's events to an admin", async () => {
    const { events } = await catalog.client.listMyEvents({}, { token: await adminToken() });
    expect(events.map((event) => event.title)).to.include.members(["not mine", "first (published)"]);
  });
});
