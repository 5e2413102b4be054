import { create } from "@bufbuild/protobuf";
import { RowGeneratorSchema } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { expect } from "chai";
import { generateRows, isRowLabelSeed, rowLabels } from "../../src/domain/seat-generator.js";

describe("rowLabels", () => {
  it("counts letters A to Z, then AA, AB … as spreadsheet columns do", () => {
    const labels = rowLabels("A", 30);
    expect(labels.slice(0, 3)).to.deep.equal(["A", "B", "C"]);
    expect(labels.slice(24)).to.deep.equal(["Y", "Z", "AA", "AB", "AC", "AD"]);
  });

  it("continues after AZ with BA, and after ZZ with AAA", () => {
    expect(rowLabels("AZ", 2)).to.deep.equal(["AZ", "BA"]);
    expect(rowLabels("ZZ", 2)).to.deep.equal(["ZZ", "AAA"]);
  });

  it("starts from any letter and keeps lower case", () => {
    expect(rowLabels("x", 4)).to.deep.equal(["x", "y", "z", "aa"]);
  });

  it("counts numbers by one, keeping their width", () => {
    expect(rowLabels("1", 3)).to.deep.equal(["1", "2", "3"]);
    expect(rowLabels("08", 3)).to.deep.equal(["08", "09", "10"]);
  });

  it("accepts 1 to 3 letters of one case or 1 to 4 digits as a first label", () => {
    for (const seed of ["A", "aa", "ZZZ", "1", "0001"]) expect(isRowLabelSeed(seed), seed).to.equal(true);
    for (const seed of ["", "Ab", "AAAA", "A1", "12345", "-1", "Á"]) expect(isRowLabelSeed(seed), seed).to.equal(false);
  });
});

describe("generateRows", () => {
  it("makes row_count rows of seats_per_row seats numbered from 1", () => {
    const rows = generateRows(create(RowGeneratorSchema, { rowCount: 3, seatsPerRow: 5 }));
    expect(rows.map((row) => row.label)).to.deep.equal(["A", "B", "C"]);
    expect(rows[2]?.seats.map((seat) => seat.label)).to.deep.equal(["1", "2", "3", "4", "5"]);
  });

  it("puts seats and rows one unit apart from the origin", () => {
    const rows = generateRows(create(RowGeneratorSchema, { rowCount: 2, seatsPerRow: 3, originX: 10, originY: 4 }));
    expect(rows[0]?.seats.map((seat) => [seat.x, seat.y])).to.deep.equal([
      [10, 4],
      [11, 4],
      [12, 4],
    ]);
    expect(rows[1]?.seats.map((seat) => seat.y)).to.deep.equal([5, 5, 5]);
  });

  it("leaves a one-unit aisle after each listed seat number, as in a 2+2 coach", () => {
    const [row] = generateRows(create(RowGeneratorSchema, { rowCount: 1, seatsPerRow: 4, aisleAfterSeats: [2] }));
    expect(row?.seats.map((seat) => seat.x)).to.deep.equal([0, 1, 3, 4]);
  });

  it("counts each aisle once, however often it is listed", () => {
    const [row] = generateRows(create(RowGeneratorSchema, { rowCount: 1, seatsPerRow: 5, aisleAfterSeats: [1, 3, 3] }));
    expect(row?.seats.map((seat) => seat.x)).to.deep.equal([0, 2, 3, 5, 6]);
  });

  it("gives every seat the generator's class, standard by default", () => {
    const standard = generateRows(create(RowGeneratorSchema, { rowCount: 1, seatsPerRow: 2 }));
    const business = generateRows(create(RowGeneratorSchema, { rowCount: 1, seatsPerRow: 2, seatClass: "business" }));
    expect(standard[0]?.seats.map((seat) => seat.seatClass)).to.deep.equal(["standard", "standard"]);
    expect(business[0]?.seats.map((seat) => seat.seatClass)).to.deep.equal(["business", "business"]);
  });

  it("starts at first_row_label", () => {
    const rows = generateRows(create(RowGeneratorSchema, { rowCount: 3, seatsPerRow: 1, firstRowLabel: "Y" }));
    expect(rows.map((row) => row.label)).to.deep.equal(["Y", "Z", "AA"]);
  });
});
