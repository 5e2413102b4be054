import { organizerToken } from "@marquee/mesh/testing";
import { expect } from "chai";
import { streamBatchSize } from "../../src/rpc/stream-event-seats.js";
import { createEventOn, useCatalog } from "../support/catalog.js";
import { Code, failureOf } from "../support/errors.js";
import { arena, concert } from "../support/fixtures.js";

describe("CatalogInternalService.StreamEventSeats", () => {
  const catalog = useCatalog();

  it("streams a 20,000-seat map in several batches, in index order, each seat once", async () => {
    const stadium = arena({
      name: "National Stadium",
      sections: [
        { name: "North", layout: { case: "seated", value: { generator: { rowCount: 100, seatsPerRow: 100 } } } },
        {
          name: "South",
          layout: { case: "seated", value: { generator: { rowCount: 100, seatsPerRow: 100, originY: 120 } } },
        },
      ],
    });
    const priceTiers = [{ id: "all", price: { amountMinor: 50_000n }, seatClasses: ["standard"] }];
    const { event } = await createEventOn(catalog, await organizerToken(), stadium, (v) => concert(v, { priceTiers }));
    expect(event.capacity).to.equal(20_000);

    const batches: number[] = [];
    let next = 0;
    const ids = new Set<string>();
    for await (const batch of catalog.internal.streamEventSeats({ eventId: event.id })) {
      batches.push(batch.seats.length);
      for (const seat of batch.seats) {
        expect(seat.index).to.equal(next++);
        ids.add(seat.id);
      }
    }
    expect(batches).to.deep.equal([streamBatchSize, streamBatchSize, streamBatchSize, streamBatchSize]);
    expect(next).to.equal(20_000);
    expect(ids.size).to.equal(20_000);
  });

  it("answers NOT_FOUND for a draft", async () => {
    const { event } = await createEventOn(catalog, await organizerToken(), arena(), concert, false);
    expect((await failureOf(catalog.internal.streamEventSeats({ eventId: event.id }))).code).to.equal(Code.NotFound);
  });
});
