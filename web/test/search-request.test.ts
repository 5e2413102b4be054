import { timestampDate } from "@bufbuild/protobuf/wkt";
import { ResultKind, SearchOrder } from "@marquee/proto/marquee/search/v1/search_pb.js";
import { describe, expect, it } from "vitest";
import { minorOf, searchRequestOf } from "../src/lib/search-request.js";

describe("searchRequestOf", () => {
  it("reads every filter of the home page's URL into a SearchEvents request", () => {
    const request = searchRequestOf(
      new URLSearchParams(
        "q=coldplay&kind=1&category=CONCERT&city=Dhaka&from=2027-01-10&to=2027-01-12&min=500&max=1,500.50&currency=BDT&available=1&sort=3",
      ),
    );
    expect(request).toMatchObject({
      query: "coldplay",
      kind: ResultKind.EVENT,
      category: "CONCERT",
      city: "Dhaka",
      minPrice: { currencyCode: "BDT", amountMinor: 50_000n },
      maxPrice: { currencyCode: "BDT", amountMinor: 150_050n },
      onlyAvailable: true,
      orderBy: SearchOrder.PRICE_ASCENDING,
    });
    expect(timestampDate(request.startTime as never)).toEqual(new Date("2027-01-10T00:00:00"));
    // "Until the 12th" takes in the whole 12th.
    expect(timestampDate(request.endTime as never)).toEqual(new Date("2027-01-13T00:00:00"));
  });

  it("makes a route search a search for trips whatever kind the URL says", () => {
    const request = searchRequestOf(new URLSearchParams("kind=1&origin=Jessore&destination=Kolkata"));
    expect(request).toMatchObject({ kind: ResultKind.TRIP, originCity: "Jessore", destinationCity: "Kolkata" });
  });

  it("leaves out what it cannot read instead of failing the search, and a price without a currency", () => {
    const request = searchRequestOf(new URLSearchParams("from=tomorrow&min=cheap&max=200"));
    expect(request.startTime).toBeUndefined();
    expect(request.minPrice).toBeUndefined();
    expect(request.maxPrice).toBeUndefined();
    expect(request.orderBy).toBe(SearchOrder.RELEVANCE);
  });
});

describe("minorOf", () => {
  it("reads major units with thousands separators and up to two decimals", () => {
    expect(minorOf("1500")).toBe(150_000n);
    expect(minorOf("1,500.5")).toBe(150_050n);
    expect(minorOf("0.05")).toBe(5n);
    expect(minorOf("1.005")).toBeUndefined();
    expect(minorOf("-3")).toBeUndefined();
    expect(minorOf("")).toBeUndefined();
  });
});
