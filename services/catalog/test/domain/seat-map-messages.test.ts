import { create } from "@bufbuild/protobuf";
import { Checker } from "@marquee/mesh";
import { SectionSchema } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { expect } from "chai";
import { planSeatMap } from "../../src/domain/seat-map.js";
import { sectionMessages } from "../../src/domain/seat-map-messages.js";

function plan() {
  const sections = [
    create(SectionSchema, {
      name: "A",
      layout: { case: "seated", value: { generator: { rowCount: 2, seatsPerRow: 3, originX: 4, originY: 1 } } },
    }),
    create(SectionSchema, { name: "Floor", layout: { case: "generalAdmission", value: { capacity: 50 } } }),
  ];
  return planSeatMap(sections, new Checker(), "venue.sections");
}

describe("sectionMessages", () => {
  it("shows a stored map's sections without their seats, with capacity and bounds", () => {
    const [seated, floor] = sectionMessages(plan().sections);
    expect(seated?.layout.case).to.equal("seated");
    expect(seated?.layout.case === "seated" ? seated.layout.value.rows : undefined).to.deep.equal([]);
    expect(seated?.layout.case === "seated" ? seated.layout.value.generator : null).to.equal(undefined);
    expect(seated).to.include({ id: "a", capacity: 6, minX: 4, minY: 1, maxX: 6, maxY: 2 });
    expect(floor?.layout.case).to.equal("generalAdmission");
    expect(floor?.layout.case === "generalAdmission" ? floor.layout.value.capacity : 0).to.equal(50);
    expect(floor).to.include({ id: "floor", capacity: 50, minX: 0, maxX: 0 });
  });
});
