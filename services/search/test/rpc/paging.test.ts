import assert from "node:assert/strict";
import { SearchOrder } from "@marquee/proto/marquee/search/v1/search_pb.js";
import { concert, hoursFromNow, idsOf, startSearch, type TestSearch } from "../support/testing.js";

describe("SearchService.SearchEvents paging", () => {
  let search: TestSearch;
  const tag = `p${Date.now().toString(36)}`;
  const initial: string[] = [];

  before(async () => {
    search = await startSearch();
    for (let i = 0; i < 24; i++) {
      // Prices and times repeat, so ties (broken by start time, then id) happen on every page.
      const event = concert({
        title: `Gala ${tag} ${i % 3 === 0 ? "gala" : ""}`,
        start: hoursFromNow(10 + (i % 8)),
        lowestMinor: BigInt(1000 * (i % 4)),
      });
      initial.push(event.id);
      await search.publishEvent(event);
    }
    await search.searchUntil({ query: tag }, (r) => r.totalSize === 24, "24 listings");
  });
  after(async () => {
    await search?.close();
  });

  for (const [name, orderBy] of [
    ["start time", SearchOrder.START_TIME],
    ["price ascending", SearchOrder.PRICE_ASCENDING],
    ["price descending", SearchOrder.PRICE_DESCENDING],
    ["relevance", SearchOrder.RELEVANCE],
  ] as const) {
    it(`pages by ${name} without duplicates or gaps while events are inserted between pages`, async () => {
      const seen: string[] = [];
      let pageToken = "";
      let pages = 0;
      let total = (await search.client.searchEvents({ query: tag })).totalSize;
      do {
        const page = await search.client.searchEvents({ query: tag, orderBy, pageSize: 5, pageToken });
        seen.push(...idsOf(page));
        pageToken = page.nextPageToken;
        pages++;
        // New events land on both sides of the cursor: earlier and later, cheaper and dearer.
        const before = concert({ title: `Gala ${tag} gala`, start: hoursFromNow(9), lowestMinor: 0n });
        const after = concert({ title: `Gala ${tag}`, start: hoursFromNow(30), lowestMinor: 99_000n });
        await search.publishEvent(before);
        await search.publishEvent(after);
        total += 2;
        await search.searchUntil({ query: tag, pageSize: 1 }, (r) => r.totalSize === total, `${total} listings`);
      } while (pageToken !== "" && pages < 40);
      assert.equal(new Set(seen).size, seen.length, "no result twice");
      for (const id of initial) assert.ok(seen.includes(id), `${id} was skipped`);
    });
  }

  it("reports the total over all pages and a next token only while more remain", async () => {
    const first = await search.client.searchEvents({ query: tag, pageSize: 3 });
    assert.equal(first.results.length, 3);
    let [count, pageToken] = [first.results.length, first.nextPageToken];
    while (pageToken !== "") {
      const page = await search.client.searchEvents({ query: tag, pageSize: 100, pageToken });
      assert.equal(page.totalSize, first.totalSize);
      [count, pageToken] = [count + page.results.length, page.nextPageToken];
    }
    assert.equal(count, first.totalSize);
  });
});
