import assert from "node:assert/strict";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@marquee/mesh";
import { badFields, failureOf } from "@marquee/mesh/testing";
import { Category } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { SeatsSoldSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import { AvailabilityLevel, ResultKind, SearchOrder } from "@marquee/proto/marquee/search/v1/search_pb.js";
import { coach, concert, hoursFromNow, idsOf, publish, startSearch, type TestSearch } from "../support/testing.js";

describe("SearchService.SearchEvents", () => {
  let search: TestSearch;
  // One tag per run in every title, so the text queries see only this file's events.
  const tag = `t${Date.now().toString(36)}`;

  before(async () => {
    search = await startSearch();
  });
  after(async () => {
    await search?.close();
  });

  it("finds Coldplay for the misspelt query 'Coldpaly', ignoring case and accents", async () => {
    const event = concert({ title: `Coldplay ${tag} — Música del Mundo` });
    await search.publishEvent(event);
    const typo = await search.searchUntil({ query: `coldpaly ${tag}` }, (r) => r.results.length > 0, "Coldpaly");
    assert.deepEqual(idsOf(typo), [event.id]);
    assert.equal(typo.results[0]?.title, event.title);
    assert.equal(typo.results[0]?.kind, ResultKind.EVENT);
    assert.equal(typo.results[0]?.lowestPrice?.amountMinor, 150_000n);
    const accents = await search.client.searchEvents({ query: `MUSICA ${tag}` });
    assert.deepEqual(idsOf(accents), [event.id]);
    const nothing = await search.client.searchEvents({ query: `Metallica ${tag}` });
    assert.deepEqual(idsOf(nothing), []);
  });

  it("filters by kind, category, city, dates, price and availability, each on its own", async () => {
    const city = `Chittagong${tag}`;
    const soon = concert({ title: `Jazz ${tag}`, city, start: hoursFromNow(5), lowestMinor: 50_000n, capacity: 10 });
    const later = concert({
      title: `Hamlet ${tag}`,
      city: "Sylhet",
      start: hoursFromNow(100),
      lowestMinor: 200_000n,
      category: Category.THEATRE,
    });
    const trip = coach({ title: `Night coach ${tag}` });
    for (const event of [soon, later, trip]) await search.publishEvent(event);
    const all = await search.searchUntil({ query: tag }, (r) => r.results.length >= 3, "three listings");
    assert.ok(all.results.length >= 3);
    const ids = async (request: Parameters<typeof search.client.searchEvents>[0]) =>
      new Set(idsOf(await search.client.searchEvents({ query: tag, ...request })));

    assert.ok((await ids({ kind: ResultKind.TRIP })).has(trip.id));
    assert.ok(!(await ids({ kind: ResultKind.TRIP })).has(soon.id));
    assert.ok(!(await ids({ kind: ResultKind.EVENT })).has(trip.id));
    assert.deepEqual([...(await ids({ category: "THEATRE" }))], [later.id]);
    assert.deepEqual([...(await ids({ city: city.toLowerCase() }))], [soon.id]);
    assert.ok((await ids({ city: "jessore" })).has(trip.id), "a trip is found by any of its stops' cities");
    const window = { startTime: timestampFromDate(hoursFromNow(1)), endTime: timestampFromDate(hoursFromNow(10)) };
    assert.deepEqual([...(await ids(window))], [soon.id]);
    const cheap = await ids({ maxPrice: { currencyCode: "BDT", amountMinor: 100_000n } });
    assert.ok(cheap.has(soon.id) && !cheap.has(later.id));
    const dear = await ids({ minPrice: { currencyCode: "BDT", amountMinor: 150_000n } });
    assert.ok(dear.has(later.id) && dear.has(trip.id) && !dear.has(soon.id));
    assert.deepEqual([...(await ids({ maxPrice: { currencyCode: "EUR", amountMinor: 10_000_000n } }))], []);

    await publish("inventory", SeatsSoldSchema, {
      eventId: soon.id,
      orderId: crypto.randomUUID(),
      holdId: "h",
      seatIds: Array.from({ length: 10 }, (_, i) => `s${i}`),
      availableAfter: 0,
    });
    await search.searchUntil(
      { query: tag, city },
      (r) => r.results[0]?.availability === AvailabilityLevel.SOLD_OUT,
      "the sold-out concert",
    );
    assert.ok(!(await ids({ onlyAvailable: true })).has(soon.id));
    assert.ok((await ids({ onlyAvailable: true })).has(later.id));
  });

  it("counts results and categories with every filter but the category", async () => {
    const response = await search.client.searchEvents({ query: tag, category: "theatre" });
    const facets = Object.fromEntries(response.categoryFacets.map((f) => [f.category, f.count]));
    assert.equal(response.totalSize, 1);
    assert.equal(facets.theatre, 1);
    assert.ok((facets.concert ?? 0) >= 2, JSON.stringify(facets));
    assert.equal(facets.bus, 1);
  });

  it("sorts by price, both ways, ties broken by start time", async () => {
    const ascending = await search.client.searchEvents({ query: tag, orderBy: SearchOrder.PRICE_ASCENDING });
    const prices = ascending.results.map((r) => r.lowestPrice?.amountMinor ?? 0n);
    assert.deepEqual(
      prices,
      [...prices].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    const descending = await search.client.searchEvents({ query: tag, orderBy: SearchOrder.PRICE_DESCENDING });
    assert.deepEqual(
      descending.results.map((r) => r.lowestPrice?.amountMinor ?? 0n),
      [...prices].reverse(),
    );
  });

  it("never finds a cancelled event again", async () => {
    const event = concert({ title: `Farewell ${tag}` });
    await search.publishEvent(event);
    await search.searchUntil({ query: `farewell ${tag}` }, (r) => r.results.length === 1, "the concert");
    await search.cancelEvent(event.id);
    await search.searchUntil({ query: `farewell ${tag}` }, (r) => r.results.length === 0, "no concert");
    const suggestions = await search.client.suggest({ prefix: "farew" });
    assert.ok(!suggestions.suggestions.some((s) => s.eventId === event.id));
  });

  it("replaces a listing on EventUpdated", async () => {
    const event = concert({ title: `Before ${tag}` });
    await search.publishEvent(event);
    await search.searchUntil({ query: `before ${tag}` }, (r) => r.results.length === 1, "the first title");
    await search.updateEvent({ ...event, title: `After ${tag}` });
    await search.searchUntil({ query: `after ${tag}` }, (r) => r.results.length === 1, "the new title");
    assert.deepEqual(idsOf(await search.client.searchEvents({ query: `before ${tag}` })), []);
  });

  it("refuses bad requests naming each field", async () => {
    const cases: [Parameters<typeof search.client.searchEvents>[0], string[]][] = [
      [{ query: "x".repeat(201) }, ["query"]],
      [{ startTime: timestampFromDate(hoursFromNow(5)), endTime: timestampFromDate(hoursFromNow(4)) }, ["end_time"]],
      [
        {
          minPrice: { currencyCode: "BDT", amountMinor: 500n },
          maxPrice: { currencyCode: "BDT", amountMinor: 100n },
        },
        ["min_price"],
      ],
      [
        {
          minPrice: { currencyCode: "BDT", amountMinor: 1n },
          maxPrice: { currencyCode: "EUR", amountMinor: 100n },
        },
        ["max_price.currency_code"],
      ],
      [{ minPrice: { currencyCode: "BDT", amountMinor: -1n } }, ["min_price.amount_minor"]],
      [{ kind: ResultKind.EVENT, originCity: "Dhaka" }, ["origin_city"]],
      [{ kind: ResultKind.EVENT, destinationCity: "Dhaka" }, ["destination_city"]],
      [{ originCity: "Dhaka", destinationCity: "DHAKA" }, ["destination_city"]],
      [{ pageSize: -1 }, ["page_size"]],
      [{ pageToken: "not-a-token" }, ["page_token"]],
    ];
    for (const [request, fields] of cases) {
      const error = await failureOf(search.client.searchEvents(request));
      assert.equal(error.code, Code.InvalidArgument, JSON.stringify(fields));
      assert.deepEqual(badFields(error), fields);
    }
    const first = await search.client.searchEvents({ query: tag, pageSize: 1 });
    assert.notEqual(first.nextPageToken, "");
    const other = await failureOf(
      search.client.searchEvents({ query: `${tag} jazz`, pageSize: 1, pageToken: first.nextPageToken }),
    );
    assert.deepEqual(badFields(other), ["page_token"]);
  });
});
