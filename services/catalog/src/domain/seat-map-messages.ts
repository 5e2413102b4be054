import { create } from "@bufbuild/protobuf";
import { type Section, SectionSchema } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import type { PlannedSection } from "./seat-map.js";

/**
 * A stored seat map's sections as the Section messages of a Venue in responses: without their seats
 * (ListVenueSeats lists them), with their capacity and bounds. A seated section keeps `seated` set, empty,
 * so it still reads as seated.
 */
export function sectionMessages(sections: readonly Omit<PlannedSection, "position">[]): Section[] {
  return sections.map((section) =>
    create(SectionSchema, {
      id: section.id,
      name: section.name,
      layout: section.isGeneralAdmission
        ? { case: "generalAdmission", value: { capacity: section.capacity } }
        : { case: "seated", value: {} },
      capacity: section.capacity,
      minX: section.minX,
      minY: section.minY,
      maxX: section.maxX,
      maxY: section.maxY,
    }),
  );
}
