import { create } from "@bufbuild/protobuf";
import { SeatState, WatchAvailabilityResponseSchema } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { describe, expect, it } from "vitest";
import { applyAvailability, isFree, unknownAvailability } from "../src/lib/availability.js";

const message = (isSnapshot: boolean, seats: Record<string, SeatState>) =>
  create(WatchAvailabilityResponseSchema, {
    isSnapshot,
    seats: Object.entries(seats).map(([seatId, state]) => ({ seatId, state })),
  });

describe("applyAvailability", () => {
  it("knows nothing before the first snapshot, then takes it", () => {
    expect(unknownAvailability.isLive).toBe(false);
    const live = applyAvailability(unknownAvailability, message(true, { a: SeatState.AVAILABLE, b: SeatState.SOLD }));
    expect(live.isLive).toBe(true);
    expect(isFree(live, "a")).toBe(true);
    expect(isFree(live, "b")).toBe(false);
  });

  it("applies a change to the seats it names and keeps the others", () => {
    const live = applyAvailability(
      unknownAvailability,
      message(true, { a: SeatState.AVAILABLE, b: SeatState.AVAILABLE }),
    );
    const changed = applyAvailability(live, message(false, { a: SeatState.HELD }));
    expect(changed.seats.get("a")).toBe(SeatState.HELD);
    expect(changed.seats.get("b")).toBe(SeatState.AVAILABLE);
    // The state before is not mutated: React compares by identity.
    expect(live.seats.get("a")).toBe(SeatState.AVAILABLE);
  });

  it("forgets every seat a new snapshot does not mention (a client that fell behind)", () => {
    const live = applyAvailability(unknownAvailability, message(true, { a: SeatState.HELD, b: SeatState.HELD }));
    const again = applyAvailability(live, message(true, { a: SeatState.AVAILABLE }));
    expect([...again.seats.keys()]).toEqual(["a"]);
    expect(isFree(again, "a")).toBe(true);
  });
});
