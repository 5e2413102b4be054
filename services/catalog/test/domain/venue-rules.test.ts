import { create } from "@bufbuild/protobuf";
import { Checker } from "@marquee/mesh";
import { VenueSchema } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { expect } from "chai";
import { checkVenueDetails, isTimeZone } from "../../src/domain/venue-rules.js";

function violationsOf(init: Parameters<typeof create<typeof VenueSchema>>[1], fields?: string[]): string[] {
  const check = new Checker();
  checkVenueDetails(create(VenueSchema, init), check, "venue", fields);
  return check.violations.map((v) => v.field);
}

describe("checkVenueDetails", () => {
  it("needs a name only: a vehicle has no city", () => {
    expect(violationsOf({ name: "Coach" })).to.deep.equal([]);
    expect(violationsOf({})).to.deep.equal(["venue.name"]);
  });

  it("reports a country that is not an ISO code and an unknown time zone", () => {
    expect(violationsOf({ name: "Arena", countryCode: "bd", timeZone: "Asia/Nowhere" })).to.deep.equal([
      "venue.country_code",
      "venue.time_zone",
    ]);
  });

  it("checks only the fields asked for", () => {
    expect(violationsOf({ countryCode: "bd" }, ["name"])).to.deep.equal(["venue.name"]);
  });
});

describe("isTimeZone", () => {
  it("knows IANA zones", () => {
    expect(isTimeZone("Asia/Dhaka")).to.equal(true);
    expect(isTimeZone("Asia/Kolkata")).to.equal(true);
    expect(isTimeZone("Dhaka")).to.equal(false);
  });
});
