import { create } from "@bufbuild/protobuf";
import { VenueSchema, VenueSeatSchema } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SeatMapEditor } from "../src/components/seat-map-editor.js";
import { type EditorSection, editorSectionsOf, generateRows, sectionsForRequest } from "../src/lib/venue-layout.js";

/** Stalls: rows A and B of three seats, the first seat at (0, 0). */
const stalls: EditorSection = {
  key: "stalls",
  id: "stalls",
  name: "Stalls",
  isGeneralAdmission: false,
  rows: generateRows({ rowCount: 2, seatsPerRow: 3, firstRowLabel: "A", aisleAfterSeats: [], seatClass: "" }, 0, 0),
  capacity: 0,
  x: 0,
  y: 0,
};

/** What the harness holds now, read by the tests' expectations. */
let current: EditorSection[] = [];

/** The editor with its sections in state, as the venue page holds them. */
function Harness({ initial }: { initial: EditorSection[] }) {
  const [sections, setSections] = useState(initial);
  current = sections;
  return <SeatMapEditor sections={sections} onChange={setSections} />;
}

function renderEditor(initial: EditorSection[] = [stalls]) {
  render(<Harness initial={initial} />);
  return { canvas: screen.getByRole("application", { name: "Seat map editor" }), latest: () => current };
}

const seatsOf = (section: EditorSection | undefined) => section?.rows.flatMap((row) => row.seats) ?? [];

/** A click as the canvas sees one: a press and a release without moving. */
function click(element: Element) {
  fireEvent.pointerDown(element, { clientX: 10, clientY: 10, pointerId: 1 });
  fireEvent.pointerUp(element, { clientX: 10, clientY: 10, pointerId: 1 });
}

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe("SeatMapEditor", () => {
  it("generates rows × seats with the first row label and an aisle, as the server's RowGenerator would", () => {
    const { latest } = renderEditor([]);
    fireEvent.click(screen.getByRole("button", { name: "Add seated section" }));
    fireEvent.change(screen.getByLabelText("Rows"), { target: { value: "2" } });
    fireEvent.change(screen.getByLabelText("Seats per row"), { target: { value: "4" } });
    fireEvent.change(screen.getByLabelText("First row label"), { target: { value: "C" } });
    fireEvent.change(screen.getByLabelText("Aisle after seats"), { target: { value: "2" } });
    fireEvent.click(screen.getByRole("button", { name: "Generate seats" }));

    const section = latest()[0];
    expect(section?.rows.map((row) => row.label)).toEqual(["C", "D"]);
    expect(section?.rows[0]?.seats.map((seat) => seat.label)).toEqual(["1", "2", "3", "4"]);
    // Seat 3 sits one unit further right: the aisle after seat 2.
    expect(section?.rows[0]?.seats.map((seat) => seat.x - (section.rows[0]?.seats[0]?.x ?? 0))).toEqual([0, 1, 3, 4]);
    expect(screen.getAllByRole("img", { name: /^Section 1, row [CD], seat \d/ })).toHaveLength(8);
    expect(screen.getByText("8 seats")).toBeDefined();
    // Untouched, the grid goes to the server as a RowGenerator, not 8 listed seats.
    const sent = sectionsForRequest(latest())[0]?.layout;
    expect(sent?.case === "seated" ? sent.value.generator : undefined).toMatchObject({
      rowCount: 2,
      seatsPerRow: 4,
      firstRowLabel: "C",
      aisleAfterSeats: [2],
    });

    // One seat edited, and the section is sent seat by seat.
    click(screen.getByRole("img", { name: /row C, seat 1,/ }));
    fireEvent.click(screen.getByRole("button", { name: "Remove seat" }));
    const edited = sectionsForRequest(latest())[0]?.layout;
    expect(edited?.case === "seated" ? edited.value.rows?.map((row) => row.seats?.length) : []).toEqual([3, 4]);
  });

  it("refuses a grid the server would refuse, saying why", () => {
    renderEditor();
    fireEvent.change(screen.getByLabelText("First row label"), { target: { value: "A1" } });
    fireEvent.click(screen.getByRole("button", { name: /Generate seats again/ }));
    expect(screen.getByRole("alert").textContent).toMatch(/first row label/i);
  });

  it("edits a seat picked on the map: accessible, another class, removed, and leaves it out when saved", () => {
    const { latest } = renderEditor();
    click(screen.getByRole("img", { name: /^Stalls, row A, seat 2,/ }));
    expect(screen.getByTestId("picked-seat").textContent).toMatch(/row A, seat 2/);

    fireEvent.click(screen.getByLabelText("Wheelchair accessible"));
    fireEvent.change(screen.getByLabelText("Class of this seat"), { target: { value: "premium" } });
    expect(seatsOf(latest()[0])[1]).toMatchObject({ label: "2", isAccessible: true, seatClass: "premium" });

    fireEvent.click(screen.getByRole("button", { name: "Remove seat" }));
    expect(seatsOf(latest()[0])[1]?.isRemoved).toBe(true);
    const sent = sectionsForRequest(latest())[0]?.layout;
    expect(sent?.case === "seated" ? sent.value.rows?.[0]?.seats?.map((seat) => seat.label) : []).toEqual(["1", "3"]);

    fireEvent.click(screen.getByRole("button", { name: "Put seat back" }));
    expect(seatsOf(latest()[0])[1]?.isRemoved).toBe(false);
  });

  it("moves a section, its seats with it, when it is dragged", () => {
    const { canvas, latest } = renderEditor();
    // The canvas drawn 400 px wide over its viewBox: the drag's pixels become map units.
    vi.spyOn(canvas, "getBoundingClientRect").mockReturnValue({
      left: 0,
      top: 0,
      width: 400,
      height: 200,
      right: 400,
      bottom: 200,
      x: 0,
      y: 0,
      toJSON: () => ({}),
    });
    const unitsPerPixel = Number(canvas.getAttribute("viewBox")?.split(" ")[2]) / 400;
    const seat = screen.getByRole("img", { name: /^Stalls, row A, seat 1,/ });
    fireEvent.pointerDown(seat, { clientX: 100, clientY: 100, pointerId: 1 });
    fireEvent.pointerMove(canvas, { clientX: 100 + 3 / unitsPerPixel, clientY: 100 + 2 / unitsPerPixel, pointerId: 1 });
    fireEvent.pointerUp(canvas, { clientX: 100 + 3 / unitsPerPixel, clientY: 100 + 2 / unitsPerPixel, pointerId: 1 });

    expect(seatsOf(latest()[0]).map((s) => [s.x, s.y])).toEqual([
      [3, 2],
      [4, 2],
      [5, 2],
      [3, 3],
      [4, 3],
      [5, 3],
    ]);
    // A drag is not a click: no seat was picked.
    expect(screen.queryByTestId("picked-seat")).toBeNull();
  });

  it("works from the keyboard: arrows move the section, Enter goes into its seats, Delete and A edit one", () => {
    const { canvas, latest } = renderEditor();
    act(() => canvas.focus());
    fireEvent.keyDown(canvas, { key: "ArrowRight" });
    fireEvent.keyDown(canvas, { key: "ArrowDown", shiftKey: true });
    expect(seatsOf(latest()[0])[0]).toMatchObject({ x: 1, y: 5 });
    expect(canvas.getAttribute("aria-activedescendant")).toBe("editor-section-stalls");

    fireEvent.keyDown(canvas, { key: "Enter" });
    fireEvent.keyDown(canvas, { key: "ArrowRight" });
    fireEvent.keyDown(canvas, { key: "ArrowDown" });
    expect(canvas.getAttribute("aria-activedescendant")).toBe("editor-seat-stalls-1-1");
    fireEvent.keyDown(canvas, { key: "Delete" });
    fireEvent.keyDown(canvas, { key: "a" });
    expect(latest()[0]?.rows[1]?.seats[1]).toMatchObject({ label: "2", isRemoved: true, isAccessible: true });
    // The change is said aloud: the live region names the seat and what it now is.
    expect(document.querySelector('[aria-live="polite"]')?.textContent).toBe(
      "Stalls, row B, seat 2, standard, removed, accessible",
    );

    // Escape comes back out: the arrows move the section again, not the seat.
    fireEvent.keyDown(canvas, { key: "Escape" });
    fireEvent.keyDown(canvas, { key: "ArrowLeft" });
    expect(seatsOf(latest()[0])[0]).toMatchObject({ x: 0, y: 5 });
  });
});

describe("editorSectionsOf", () => {
  it("rebuilds rows from the venue's seats, keeping their ids, and lays general admission out below", () => {
    const venue = create(VenueSchema, {
      sections: [
        { id: "stalls", name: "Stalls", layout: { case: "seated", value: {} }, minX: 2, minY: 1, maxX: 3, maxY: 2 },
        { id: "floor", name: "Floor", layout: { case: "generalAdmission", value: { capacity: 50 } }, capacity: 50 },
      ],
    });
    const seats = ["A", "B"].flatMap((row, r) =>
      [1, 2].map((n) =>
        create(VenueSeatSchema, {
          id: `stalls:${row}-${n}`,
          sectionId: "stalls",
          rowLabel: row,
          label: String(n),
          x: 1 + n,
          y: 1 + r,
          seatClass: "standard",
        }),
      ),
    );
    const [stallsBack, floor] = editorSectionsOf(venue, seats);
    expect(stallsBack?.rows.map((row) => row.seats.map((seat) => seat.id))).toEqual([
      ["stalls:A-1", "stalls:A-2"],
      ["stalls:B-1", "stalls:B-2"],
    ]);
    expect(floor).toMatchObject({ isGeneralAdmission: true, capacity: 50, y: 5 });
    const sent = sectionsForRequest([stallsBack as EditorSection])[0]?.layout;
    expect(sent?.case === "seated" ? sent.value.rows?.[1]?.seats?.[0] : undefined).toMatchObject({
      id: "stalls:B-1",
      x: 2,
      y: 2,
    });
  });
});
