import { create, toBinary } from "@bufbuild/protobuf";
import { SeatedLayoutSchema, type Section, SectionSchema } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import type { PlannedSeat, PlannedSection } from "./seat-map.js";

/** The encoded size of a map's sections inside a Venue message, in bytes. */
export function encodedSize(sections: readonly PlannedSection[], seats: readonly PlannedSeat[]): number {
  return sectionMessages(sections, seats).reduce((sum, section) => {
    const bytes = toBinary(SectionSchema, section).length;
    // Each section is a length-delimited field of the venue: a tag byte and a varint length.
    return sum + 1 + varintSize(bytes) + bytes;
  }, 0);
}

/** A stored seat map as the Section messages of a Venue: seats grouped into their rows, in map order. */
export function sectionMessages(
  sections: readonly Omit<PlannedSection, "position">[],
  seats: readonly Omit<PlannedSeat, "index">[],
): Section[] {
  const seatsBySection = Map.groupBy(seats, (seat) => seat.sectionId);
  return sections.map((section) => {
    if (section.isGeneralAdmission) {
      return create(SectionSchema, {
        id: section.id,
        name: section.name,
        layout: { case: "generalAdmission", value: { capacity: section.capacity } },
      });
    }
    const layout = create(SeatedLayoutSchema);
    // Seats come in map order, so the seats of a row are consecutive.
    for (const seat of seatsBySection.get(section.id) ?? []) {
      let row = layout.rows.at(-1);
      if (row?.label !== seat.rowLabel) {
        row = { $typeName: "marquee.catalog.v1.Row", label: seat.rowLabel, seats: [] };
        layout.rows.push(row);
      }
      row.seats.push({
        $typeName: "marquee.catalog.v1.Seat",
        id: seat.id,
        label: seat.label,
        x: seat.x,
        y: seat.y,
        seatClass: seat.seatClass,
        isAccessible: seat.isAccessible,
      });
    }
    return create(SectionSchema, { id: section.id, name: section.name, layout: { case: "seated", value: layout } });
  });
}

function varintSize(value: number): number {
  let size = 1;
  for (let rest = value >>> 7; rest > 0; rest >>>= 7) size++;
  return size;
}
