import { organizerToken } from "@marquee/mesh/testing";
import { expect } from "chai";
import { createEventOn, useCatalog } from "../support/catalog.js";
import { badFields, failureOf } from "../support/errors.js";
import { arena, coach, coachTrip, concert } from "../support/fixtures.js";

describe("CatalogService.QuotePrice", () => {
  const catalog = useCatalog();
  let concertId = "";
  let tripId = "";

  before(async () => {
    const token = await organizerToken();
    const box = { price: { amountMinor: 800_000n }, id: "box", sectionIds: ["box"] };
    concertId = (
      await createEventOn(catalog, token, arena(), (v) =>
        concert(v, { priceTiers: [...(concert(v).priceTiers ?? []), box] }),
      )
    ).event.id;
    const override = {
      boardingStopId: "dhaka",
      alightingStopId: "kolkata",
      price: { amountMinor: 150_000n },
    };
    tripId = (
      await createEventOn(catalog, token, coach(), (v) =>
        coachTrip(v, { fares: [...(coachTrip(v).fares ?? []), override] }),
      )
    ).event.id;
  });

  it("prices an event's seats by section tier before seat class, and general-admission places by section", async () => {
    const quote = await catalog.client.quotePrice({
      eventId: concertId,
      seatIds: ["lower-bowl:A-1", "box:A-1"],
      places: [{ sectionId: "floor", quantity: 3 }],
    });
    expect(
      quote.lines.map((line) => [
        line.seatId,
        line.sectionId,
        line.priceTierId,
        line.quantity,
        line.subtotal?.amountMinor,
      ]),
    ).to.deep.equal([
      ["lower-bowl:A-1", "lower-bowl", "bowl", 1, 250_000n],
      ["box:A-1", "box", "box", 1, 800_000n],
      ["", "floor", "floor", 3, 450_000n],
    ]);
    expect(quote.total).to.include({ currencyCode: "BDT", amountMinor: 1_500_000n });
    // What a ticket prints: the seat, its section, its tier, so ordering copies them at purchase.
    expect(
      quote.lines.map((line) => [line.seatLabel, line.sectionName !== "", line.priceTierName !== ""]),
    ).to.deep.equal([
      ["Row A, Seat 1", true, true],
      ["Row A, Seat 1", true, false], // the "box" tier above has no name
      [quote.lines[2]?.sectionName, true, true],
    ]);
  });

  it("prices a ride of a trip as the sum of its legs' fares", async () => {
    const quote = await catalog.client.quotePrice({
      eventId: tripId,
      ride: { boardingStopId: "dhaka", alightingStopId: "jessore" },
      seatIds: ["cabin:A-1", "cabin:A-2"],
    });
    expect(quote.lines.map((line) => line.unitPrice?.amountMinor)).to.deep.equal([90_000n, 90_000n]);
    expect(quote.total?.amountMinor).to.equal(180_000n);
  });

  it("prices a ride by the fare naming exactly its stops, the whole route when the ride is omitted", async () => {
    const whole = await catalog.client.quotePrice({ eventId: tripId, seatIds: ["cabin:J-4"] });
    const named = await catalog.client.quotePrice({
      eventId: tripId,
      ride: { boardingStopId: "dhaka", alightingStopId: "kolkata" },
      seatIds: ["cabin:J-4"],
    });
    expect(whole.total?.amountMinor).to.equal(150_000n);
    expect(named.total?.amountMinor).to.equal(150_000n);
  });

  it("answers INVALID_ARGUMENT for a ride on an event, unknown seats and sections that are not general admission", async () => {
    const error = await failureOf(
      catalog.client.quotePrice({
        eventId: concertId,
        ride: { boardingStopId: "a", alightingStopId: "b" },
        seatIds: ["lower-bowl:Z-99"],
        places: [{ sectionId: "box", quantity: 1 }],
      }),
    );
    expect(badFields(error)).to.deep.equal(["ride", "seat_ids[0]", "places[0].section_id"]);
  });

  it("answers INVALID_ARGUMENT for an unknown stop and for alighting before boarding", async () => {
    const unknown = await failureOf(
      catalog.client.quotePrice({
        eventId: tripId,
        ride: { boardingStopId: "dhaka", alightingStopId: "goa" },
        seatIds: ["cabin:A-1"],
      }),
    );
    const backwards = await failureOf(
      catalog.client.quotePrice({
        eventId: tripId,
        ride: { boardingStopId: "jessore", alightingStopId: "dhaka" },
        seatIds: ["cabin:A-1"],
      }),
    );
    expect(badFields(unknown)).to.deep.equal(["ride.alighting_stop_id"]);
    expect(badFields(backwards)).to.deep.equal(["ride.alighting_stop_id"]);
  });

  it("answers INVALID_ARGUMENT for nothing to price and for a quantity below 1", async () => {
    expect(badFields(await failureOf(catalog.client.quotePrice({ eventId: concertId })))).to.deep.equal(["seat_ids"]);
    const error = await failureOf(
      catalog.client.quotePrice({ eventId: concertId, places: [{ sectionId: "floor", quantity: 0 }] }),
    );
    expect(badFields(error)).to.deep.equal(["places[0].quantity"]);
  });
});
