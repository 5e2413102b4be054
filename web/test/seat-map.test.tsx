import { create } from "@bufbuild/protobuf";
import {
  EventSeatSchema,
  PriceTierSchema,
  SectionSummarySchema,
} from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { SeatState, WatchAvailabilityResponseSchema } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SeatMap } from "../src/components/seat-map.js";
import { applyAvailability, unknownAvailability } from "../src/lib/availability.js";

/** Rows A and B of three seats, stalls tier 1,500 taka. */
const seats = ["A", "B"].flatMap((row, y) =>
  [1, 2, 3].map((n) =>
    create(EventSeatSchema, {
      id: `stalls:${row}-${n}`,
      sectionId: "stalls",
      rowLabel: row,
      label: String(n),
      x: n - 1,
      y,
      priceTierId: "stalls",
      index: y * 3 + n - 1,
    }),
  ),
);
const sections = [create(SectionSummarySchema, { id: "stalls", name: "Stalls", minX: 0, minY: 0, maxX: 2, maxY: 1 })];
const tiers = [
  create(PriceTierSchema, { id: "stalls", name: "Stalls", price: { currencyCode: "BDT", amountMinor: 150_000n } }),
];
const availability = applyAvailability(
  unknownAvailability,
  create(WatchAvailabilityResponseSchema, {
    isSnapshot: true,
    seats: seats.map((seat) => ({
      seatId: seat.id,
      state:
        seat.id === "stalls:A-2" ? SeatState.HELD : seat.id === "stalls:B-3" ? SeatState.SOLD : SeatState.AVAILABLE,
    })),
  }),
);

function renderMap(props: Partial<Parameters<typeof SeatMap>[0]> = {}) {
  const onToggle = vi.fn();
  render(
    <SeatMap
      sections={sections}
      seats={seats}
      tiers={tiers}
      availability={availability}
      selected={new Set()}
      mine={new Set()}
      onToggle={onToggle}
      {...props}
    />,
  );
  return { onToggle, map: screen.getByRole("application", { name: "Seat map" }) };
}

describe("SeatMap", () => {
  afterEach(cleanup);

  it("labels every seat with section, row, seat, price and state, for screen readers", () => {
    renderMap({ selected: new Set(["stalls:A-3"]), mine: new Set(["stalls:B-1"]) });
    expect(screen.getByRole("checkbox", { name: /^Stalls, row A, seat 1, .*1,500\.00, available$/ })).toBeTruthy();
    expect(screen.getByRole("checkbox", { name: /row A, seat 2, .*held by someone else$/ })).toBeTruthy();
    expect(screen.getByRole("checkbox", { name: /row B, seat 3, .*sold$/ })).toBeTruthy();
    expect(screen.getByRole("checkbox", { name: /row A, seat 3, .*picked$/ }).getAttribute("aria-checked")).toBe(
      "true",
    );
    expect(screen.getByRole("checkbox", { name: /row B, seat 1, .*held for you$/ }).getAttribute("aria-checked")).toBe(
      "true",
    );
  });

  it("picks a free seat on a click and refuses a held or sold one", () => {
    const { onToggle } = renderMap();
    fireEvent.click(screen.getByRole("checkbox", { name: /row A, seat 1,/ }));
    fireEvent.click(screen.getByRole("checkbox", { name: /row A, seat 2,/ }));
    fireEvent.click(screen.getByRole("checkbox", { name: /row B, seat 3,/ }));
    expect(onToggle.mock.calls).toEqual([["stalls:A-1"]]);
  });

  it("draws every seat as loading, never as free, until the first snapshot", () => {
    const { onToggle } = renderMap({ availability: unknownAvailability });
    const first = screen.getByRole("checkbox", { name: /row A, seat 1, .*loading$/ });
    fireEvent.click(first);
    expect(onToggle).not.toHaveBeenCalled();
    expect(first.getAttribute("data-state")).toBe("unknown");
  });

  it("moves between seats with the arrow keys and picks with Enter or Space", () => {
    const { onToggle, map } = renderMap();
    fireEvent.focus(map);
    // Focus starts on the first free seat, A-1.
    expect(map.getAttribute("aria-activedescendant")).toBe("seat-stalls:A-1");
    fireEvent.keyDown(map, { key: "ArrowRight" });
    fireEvent.keyDown(map, { key: "ArrowRight" });
    expect(map.getAttribute("aria-activedescendant")).toBe("seat-stalls:A-3");
    fireEvent.keyDown(map, { key: "Enter" });
    fireEvent.keyDown(map, { key: "ArrowDown" });
    expect(map.getAttribute("aria-activedescendant")).toBe("seat-stalls:B-3");
    // B-3 is sold: Space does nothing there.
    fireEvent.keyDown(map, { key: " " });
    fireEvent.keyDown(map, { key: "ArrowLeft" });
    fireEvent.keyDown(map, { key: " " });
    expect(onToggle.mock.calls).toEqual([["stalls:A-3"], ["stalls:B-2"]]);
  });

  it("zooms in with the button and back out to the whole map", () => {
    const { map } = renderMap();
    const whole = map.getAttribute("viewBox");
    fireEvent.click(screen.getByRole("button", { name: "Zoom in" }));
    const zoomed = map.getAttribute("viewBox")?.split(" ").map(Number) ?? [];
    expect(zoomed[2]).toBeLessThan(Number(whole?.split(" ")[2]));
    fireEvent.click(screen.getByRole("button", { name: "Whole map" }));
    expect(map.getAttribute("viewBox")).toBe(whole);
  });
});
