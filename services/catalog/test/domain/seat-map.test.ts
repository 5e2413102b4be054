import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Checker } from "@marquee/mesh";
import { type Section, SectionSchema } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { expect } from "chai";
import { planSeatMap } from "../../src/domain/seat-map.js";

function sections(...init: MessageInitShape<typeof SectionSchema>[]): Section[] {
  return init.map((section) => create(SectionSchema, section));
}

function plan(input: Section[]) {
  const check = new Checker();
  const result = planSeatMap(input, check, "venue.sections");
  return { ...result, violations: check.violations };
}

const grid = (rowCount: number, seatsPerRow: number) =>
  ({ case: "seated", value: { generator: { rowCount, seatsPerRow } } }) as const;

describe("planSeatMap", () => {
  it("derives section ids from names, unique with -2, and keeps given ones", () => {
    const result = plan(
      sections(
        { name: "Floor", layout: { case: "generalAdmission", value: { capacity: 10 } } },
        { name: "Floor", layout: { case: "generalAdmission", value: { capacity: 10 } } },
        { id: "vip", name: "Floor", layout: { case: "generalAdmission", value: { capacity: 10 } } },
        { name: "গ্যালারি", layout: { case: "generalAdmission", value: { capacity: 10 } } },
      ),
    );
    expect(result.violations).to.deep.equal([]);
    expect(result.sections.map((section) => section.id)).to.deep.equal(["floor", "floor-2", "vip", "section-4"]);
  });

  it("names seats <section>:<row>-<seat> unless they have an id", () => {
    const result = plan(
      sections({
        name: "Box",
        layout: {
          case: "seated",
          value: { rows: [{ label: "B", seats: [{ label: "1" }, { id: "wheelchair-1", label: "2" }] }] },
        },
      }),
    );
    expect(result.seats.map((seat) => seat.id)).to.deep.equal(["box:B-1", "wheelchair-1"]);
  });

  it("numbers every seat densely in map order: section, row, seat", () => {
    const result = plan(sections({ name: "A", layout: grid(2, 3) }, { name: "B", layout: grid(1, 2) }));
    expect(result.seats.map((seat) => [seat.index, seat.id])).to.deep.equal([
      [0, "a:A-1"],
      [1, "a:A-2"],
      [2, "a:A-3"],
      [3, "a:B-1"],
      [4, "a:B-2"],
      [5, "a:B-3"],
      [6, "b:A-1"],
      [7, "b:A-2"],
    ]);
  });

  it("counts seats and general-admission places into the capacity, and bounds each section", () => {
    const result = plan(
      sections(
        { name: "Floor", layout: { case: "generalAdmission", value: { capacity: 500 } } },
        { name: "Bowl", layout: { case: "seated", value: { generator: { rowCount: 2, seatsPerRow: 3, originX: 5 } } } },
      ),
    );
    expect(result.capacity).to.equal(506);
    expect(result.sections[1]).to.include({ capacity: 6, minX: 5, maxX: 7, minY: 0, maxY: 1 });
  });

  it("defaults a listed seat's class to standard", () => {
    const result = plan(
      sections({ name: "Box", layout: { case: "seated", value: { rows: [{ label: "A", seats: [{ label: "1" }] }] } } }),
    );
    expect(result.seats[0]?.seatClass).to.equal("standard");
  });

  it("reports a venue without sections", () => {
    expect(plan([]).violations.map((v) => v.field)).to.deep.equal(["venue.sections"]);
  });

  it("reports each bad field of sections, rows and seats by its proto path", () => {
    const result = plan(
      sections(
        { id: "Bad Id", name: "", layout: grid(1, 1) },
        { name: "Neither" },
        {
          name: "Both",
          layout: {
            case: "seated",
            value: { rows: [{ label: "A", seats: [{ label: "1" }] }], generator: { rowCount: 1, seatsPerRow: 1 } },
          },
        },
        {
          name: "Grid",
          layout: {
            case: "seated",
            value: { generator: { rowCount: 0, seatsPerRow: 501, firstRowLabel: "A1", aisleAfterSeats: [0] } },
          },
        },
        {
          name: "Rows",
          layout: {
            case: "seated",
            value: {
              rows: [
                { label: "A", seats: [{ label: "1" }, { label: "1" }] },
                { label: "A", seats: [] },
              ],
            },
          },
        },
        { name: "Standing", layout: { case: "generalAdmission", value: { capacity: 0 } } },
      ),
    );
    expect(result.violations.map((v) => v.field)).to.deep.equal([
      "venue.sections[0].id",
      "venue.sections[0].name",
      "venue.sections[1].seated",
      "venue.sections[2].seated.generator",
      "venue.sections[3].seated.generator.row_count",
      "venue.sections[3].seated.generator.seats_per_row",
      "venue.sections[3].seated.generator.first_row_label",
      "venue.sections[3].seated.generator.aisle_after_seats[0]",
      "venue.sections[4].seated.rows[0].seats[1].label",
      "venue.sections[4].seated.rows[1].label",
      "venue.sections[4].seated.rows[1].seats",
      "venue.sections[5].general_admission.capacity",
    ]);
  });

  it("reports repeated section ids", () => {
    const result = plan(
      sections(
        { id: "floor", name: "Floor", layout: grid(1, 1) },
        { id: "floor", name: "Floor again", layout: grid(1, 1) },
      ),
    );
    expect(result.violations.map((v) => v.field)).to.deep.equal(["venue.sections[1].id"]);
  });

  it("reports a seat whose id another seat of the venue has", () => {
    const result = plan(
      sections(
        { id: "a", name: "A", layout: grid(1, 1) },
        {
          name: "B",
          layout: { case: "seated", value: { rows: [{ label: "A", seats: [{ id: "a:A-1", label: "1" }] }] } },
        },
      ),
    );
    expect(result.violations.map((v) => v.field)).to.deep.equal(["venue.sections[1].seated.rows[0].seats[0].id"]);
  });

  it("refuses more than 100,000 seats, before generating them", () => {
    const result = plan(sections({ name: "Huge", layout: grid(500, 500) }));
    expect(result.violations).to.have.length(1);
    expect(result.violations[0]?.field).to.equal("venue.sections");
    expect(result.seats).to.have.length(0);
  });

  it("plans a 100,000-seat map, which no venue message carries whole any more", () => {
    const result = plan(sections(...Array.from({ length: 10 }, (_, i) => ({ name: `S${i}`, layout: grid(100, 100) }))));
    expect(result.violations).to.deep.equal([]);
    expect(result.seats).to.have.length(100_000);
    expect(result.capacity).to.equal(100_000);
  });
});
