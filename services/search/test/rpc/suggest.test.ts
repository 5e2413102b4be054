import assert from "node:assert/strict";
import { Code } from "@marquee/mesh";
import { badFields, failureOf } from "@marquee/mesh/testing";
import { SuggestionType } from "@marquee/proto/marquee/search/v1/search_pb.js";
import { coach, concert, hoursFromNow, startSearch, type TestSearch } from "../support/testing.js";

describe("SearchService.Suggest", () => {
  let search: TestSearch;
  const word = `zq${Date.now().toString(36)}`;
  const [first, second, past] = [
    concert({ title: `${word}ola Live`, city: "Rājshahi", venueName: `${word} Arena` }),
    concert({ title: `${word}ola Live`, city: "Rājshahi", venueName: `${word} Arena`, start: hoursFromNow(90) }),
    concert({ title: `${word}ville Past`, start: hoursFromNow(-5) }),
  ];
  const trip = coach({ title: `Bus to ${word}pur` });

  before(async () => {
    search = await startSearch();
    for (const event of [first, second, past, trip]) await search.publishEvent(event);
    await search.searchUntil({ query: word }, (r) => r.totalSize === 3, "the upcoming listings");
  });
  after(async () => {
    await search?.close();
  });

  it("completes titles, cities and venues from the start of any word, deduplicated, leading matches first", async () => {
    const { suggestions } = await search.client.suggest({ prefix: word.toUpperCase() });
    const texts = suggestions.map((s) => [SuggestionType[s.type], s.text]);
    assert.deepEqual(texts.slice(0, 2), [
      ["VENUE", `${word} Arena`],
      ["TITLE", `${word}ola Live`],
    ]);
    assert.deepEqual(texts[2], ["TITLE", `Bus to ${word}pur`], "a later word's match comes after");
    assert.equal(suggestions.length, 3, "one title for both concerts, none for the past one");
    const title = suggestions.find((s) => s.type === SuggestionType.TITLE && s.text.startsWith(word));
    assert.equal(title?.eventId, first.id, "the soonest of equal titles");
    assert.equal(title?.city, "Rājshahi");
  });

  it("completes cities ignoring accents, and filters by type", async () => {
    const { suggestions } = await search.client.suggest({ prefix: "rajsh", types: [SuggestionType.CITY] });
    assert.deepEqual(
      suggestions.map((s) => [s.text, s.type, s.eventId]),
      [["Rājshahi", SuggestionType.CITY, ""]],
    );
    const stops = await search.client.suggest({ prefix: "jess", types: [SuggestionType.CITY] });
    assert.deepEqual(
      stops.suggestions.map((s) => s.text),
      ["Jessore"],
      "a trip's stop is a city too",
    );
  });

  it("returns at most max_suggestions", async () => {
    const { suggestions } = await search.client.suggest({ prefix: word, maxSuggestions: 1 });
    assert.equal(suggestions.length, 1);
  });

  it("refuses an empty or long prefix, a negative count and an unspecified type, naming each", async () => {
    for (const [request, fields] of [
      [{ prefix: "" }, ["prefix"]],
      [{ prefix: "x".repeat(101) }, ["prefix"]],
      [{ prefix: "x", maxSuggestions: -1 }, ["max_suggestions"]],
      [{ prefix: "x", types: [SuggestionType.CITY, SuggestionType.UNSPECIFIED] }, ["types[1]"]],
    ] as const) {
      const error = await failureOf(search.client.suggest({ ...request, types: [...(request.types ?? [])] }));
      assert.equal(error.code, Code.InvalidArgument);
      assert.deepEqual(badFields(error), fields);
    }
  });
});
