import { ConnectError } from "@marquee/mesh";
import { expect } from "chai";
import { decodePageToken, encodePageToken, isIndex, isTimeAndId, pageSizeOf } from "../src/paging.js";

const position = { t: "2030-01-01T00:00:00.000Z", id: "6d6c56a6-8f0b-4a55-9d4a-2c9d3a1e5b11" };

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return ConnectError.from(error).rawMessage.split(":")[1]?.trim() ?? "";
  }
  throw new Error("expected a failure");
}

describe("page tokens", () => {
  it("give back the position they were made with, for the same list and filters", () => {
    const token = encodePageToken("events", { city: "dhaka" }, position);
    expect(token).to.match(/^[A-Za-z0-9_-]+$/);
    expect(decodePageToken("events", { city: "dhaka" }, token, isTimeAndId)).to.deep.equal(position);
  });

  it("mean the first page when empty", () => {
    expect(decodePageToken("events", null, "", isTimeAndId)).to.equal(undefined);
  });

  it("are refused on page_token for another list, other filters, or garbage", () => {
    const token = encodePageToken("events", { city: "dhaka" }, position);
    expect(fieldOf(() => decodePageToken("venues", { city: "dhaka" }, token, isTimeAndId))).to.equal("page_token");
    expect(fieldOf(() => decodePageToken("events", { city: "sylhet" }, token, isTimeAndId))).to.equal("page_token");
    expect(fieldOf(() => decodePageToken("events", null, "not a token", isTimeAndId))).to.equal("page_token");
    const forged = encodePageToken("seats", null, -5);
    expect(fieldOf(() => decodePageToken("seats", null, forged, isIndex))).to.equal("page_token");
  });
});

describe("pageSizeOf", () => {
  it("uses the default for 0 and caps at the maximum", () => {
    const limits = { default: 50, max: 200 };
    expect(pageSizeOf(0, limits)).to.equal(50);
    expect(pageSizeOf(10, limits)).to.equal(10);
    expect(pageSizeOf(1000, limits)).to.equal(200);
  });
});
