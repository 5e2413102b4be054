import type { MessageInitShape } from "@bufbuild/protobuf";
import { startCatalogWithInventory } from "@marquee/inventory/testing";
import { organizerToken } from "@marquee/mesh/testing";
import type { ListEventsRequestSchema } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { Category, EventKind } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { expect } from "chai";
import { createEventOn, useCatalog } from "../support/catalog.js";
import { badFields, failureOf } from "../support/errors.js";
import { arena, at, coach, coachTrip, concert } from "../support/fixtures.js";

type Filters = MessageInitShape<typeof ListEventsRequestSchema>;

describe("CatalogService.ListEvents", () => {
  const catalog = useCatalog(startCatalogWithInventory);
  const ids: Record<string, string> = {};

  /** The titles ListEvents returns for `filters`, following every page. */
  async function titles(filters: Filters = {}): Promise<string[]> {
    const found: string[] = [];
    let pageToken = "";
    do {
      const page = await catalog.client.listEvents({ ...filters, pageToken });
      found.push(...page.events.map((event) => event.title));
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    return found;
  }

  before(async () => {
    const token = await organizerToken();
    const theatre = arena({ name: "Shilpakala", city: "Chittagong" });
    const add = async (
      key: string,
      venue: Parameters<typeof createEventOn>[2],
      event: Parameters<typeof createEventOn>[3],
      publish = true,
    ) => {
      ids[key] = (await createEventOn(catalog, token, venue, event, publish)).event.id;
    };
    await add("soon", arena(), (v) => concert(v, { title: "soon", startTime: at(10), endTime: at(10, 3) }));
    await add("play", theatre, (v) =>
      concert(v, { title: "play", category: Category.THEATRE, startTime: at(12), endTime: at(12, 2) }),
    );
    await add("later", arena(), (v) => concert(v, { title: "later", startTime: at(40), endTime: at(40, 3) }));
    await add("coach", coach(), (v) => coachTrip(v, { title: "coach" }));
    await add("draft", arena(), (v) => concert(v, { title: "draft", startTime: at(15), endTime: at(15, 3) }), false);
    await add("started", arena(), (v) => concert(v, { title: "started", startTime: at(0, -1), endTime: at(0, 2) }));
    await add("cancelled", arena(), (v) => concert(v, { title: "cancelled", startTime: at(11), endTime: at(11, 3) }));
    await catalog.client.cancelEvent({ eventId: ids.cancelled ?? "", reason: "Flooding" }, { token });
  });

  it("lists published events only, soonest first, from now on by default", async () => {
    expect(await titles()).to.deep.equal(["soon", "play", "coach", "later"]);
  });

  it("pages through them one at a time, each exactly once", async () => {
    expect(await titles({ pageSize: 1 })).to.deep.equal(["soon", "play", "coach", "later"]);
  });

  it("filters by the venue's city or any stop's, ignoring case", async () => {
    expect(await titles({ city: "DHAKA" })).to.deep.equal(["soon", "coach", "later"]);
    expect(await titles({ city: "jessore" })).to.deep.equal(["coach"]);
    expect(await titles({ city: "chittagong" })).to.deep.equal(["play"]);
    expect(await titles({ city: "Sylhet" })).to.deep.equal([]);
  });

  it("filters by category and by kind", async () => {
    expect(await titles({ category: Category.CONCERT })).to.deep.equal(["soon", "later"]);
    expect(await titles({ category: Category.BUS })).to.deep.equal(["coach"]);
    expect(await titles({ kind: EventKind.TRIP })).to.deep.equal(["coach"]);
  });

  it("filters by a range of start times", async () => {
    expect(await titles({ startTimeFrom: at(11), startTimeTo: at(30) })).to.deep.equal(["play", "coach"]);
    expect(await titles({ startTimeFrom: at(-1), pageSize: 2 })).to.deep.equal([
      "started",
      "soon",
      "play",
      "coach",
      "later",
    ]);
  });

  it("answers INVALID_ARGUMENT for an inverted time range", async () => {
    const error = await failureOf(catalog.client.listEvents({ startTimeFrom: at(30), startTimeTo: at(11) }));
    expect(badFields(error)).to.deep.equal(["start_time_to"]);
  });

  it("answers INVALID_ARGUMENT for a page token used with other filters", async () => {
    const first = await catalog.client.listEvents({ pageSize: 1, city: "dhaka" });
    const error = await failureOf(catalog.client.listEvents({ pageToken: first.nextPageToken, city: "chittagong" }));
    expect(badFields(error)).to.deep.equal(["page_token"]);
  });
});
