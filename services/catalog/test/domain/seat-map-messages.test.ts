import { create, toBinary } from "@bufbuild/protobuf";
import { Checker } from "@marquee/mesh";
import { SectionSchema, VenueSchema } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { expect } from "chai";
import { planSeatMap } from "../../src/domain/seat-map.js";
import { encodedSize, sectionMessages } from "../../src/domain/seat-map-messages.js";

function plan() {
  const section = create(SectionSchema, {
    name: "A",
    layout: { case: "seated", value: { generator: { rowCount: 2, seatsPerRow: 2 } } },
  });
  return planSeatMap([section], new Checker(), "venue.sections");
}

describe("sectionMessages", () => {
  it("turns a stored map back into rows of seats", () => {
    const result = plan();
    const [section] = sectionMessages(result.sections, result.seats);
    expect(section?.layout.case).to.equal("seated");
    const rows = section?.layout.case === "seated" ? section.layout.value.rows : [];
    expect(rows.map((row) => [row.label, row.seats.map((seat) => seat.id)])).to.deep.equal([
      ["A", ["a:A-1", "a:A-2"]],
      ["B", ["a:B-1", "a:B-2"]],
    ]);
  });
});

describe("encodedSize", () => {
  it("is the size the sections take in an encoded Venue", () => {
    const result = plan();
    const venue = create(VenueSchema, { sections: sectionMessages(result.sections, result.seats) });
    expect(encodedSize(result.sections, result.seats)).to.equal(toBinary(VenueSchema, venue).length);
  });
});
