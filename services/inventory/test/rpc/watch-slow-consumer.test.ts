import type { MessageInitShape } from "@bufbuild/protobuf";
import { customerToken, testId, waitFor, wholeMinutesFromNow } from "@marquee/mesh/testing";
import {
  Category,
  EventKind,
  type EventSchema,
  type VenueSchema,
} from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { SeatState, type WatchAvailabilityResponse } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { expect } from "chai";
import { legMask } from "../../src/domain/legs.js";
import { publish, useInventory } from "../support/inventory.js";

/** An arena: one "floor" section of 50 rows of 100 seats, 5,000 in all. */
const arena: MessageInitShape<typeof VenueSchema> = {
  name: "Bangabandhu Arena",
  city: "Dhaka",
  countryCode: "BD",
  timeZone: "Asia/Dhaka",
  sections: [
    {
      id: "floor",
      name: "Floor",
      layout: { case: "seated", value: { generator: { rowCount: 50, seatsPerRow: 100, seatClass: "standard" } } },
    },
  ],
};

const inAMonth = (hours: number) => wholeMinutesFromNow({ days: 30, hours });

/** A concert in `arena` letting each buyer hold a whole row. */
const concertInArena = (venueId: string): MessageInitShape<typeof EventSchema> => ({
  kind: EventKind.EVENT,
  category: Category.CONCERT,
  title: "Slow readers' night",
  venueId,
  startTime: inAMonth(0),
  endTime: inAMonth(3),
  currencyCode: "BDT",
  priceTiers: [{ id: "standard", name: "Standard", price: { amountMinor: 200_000n }, seatClasses: ["standard"] }],
  holdPolicy: { maxSeatsPerUser: 100 },
});

describe("InventoryService.WatchAvailability with a client that stops reading", () => {
  const env = useInventory();

  it("resynchronises the slow client with a fresh snapshot on the same stream instead of failing it", async function () {
    this.timeout(60_000);
    const event = await publish(env.catalog, arena, concertInArena);
    const seating = await env.inventory.seatings.get(event.id);

    const abort = new AbortController();
    const stream = env.client
      .watchAvailability({ eventId: event.id }, { signal: abort.signal, timeoutMs: 60_000 })
      [Symbol.asyncIterator]();
    // The in-process feed paces the changes: each is one update, sent before the next is made.
    const paced = env.inventory.feed.watch(seating, legMask(0, 1), abort.signal, () => env.inventory.snapshot(seating));
    let updatesSent = 0;
    const pacing = (async () => {
      for await (const update of paced) if (!update.isSnapshot) updatesSent++;
    })();
    try {
      const first = await stream.next();
      expect(first.value?.isSnapshot).to.equal(true);
      const picture = new Map<string, SeatState>();
      const snapshots = [first.value as WatchAvailabilityResponse];
      const apply = (message: WatchAvailabilityResponse) => {
        if (message.isSnapshot) picture.clear();
        for (const seat of message.seats) picture.set(seat.seatId, seat.state);
      };
      apply(first.value as WatchAvailabilityResponse);
      const rows = [...new Set([...picture.keys()].map((id) => id.slice(0, id.lastIndexOf("-"))))];
      expect(rows).to.have.length(50);

      // The client reads nothing while rows are held and released, 100 seats a change, 400 changes: HTTP/2
      // flow control and the client's buffer take about 50 of them here, the feed's backlog for it at most
      // a snapshot's worth (50 such changes) or 256 updates (past which it used to fail the stream).
      const holds: { id: string; token: string }[] = [];
      let nextRow = 0;
      for (let change = 0; change < 400; change++) {
        const sent = updatesSent;
        // 40 rows held, then one released and the next held in turn: never a row held twice at once.
        if (change < 40 || change % 2 === 0) {
          const row = rows[nextRow++ % rows.length] as string;
          const token = await customerToken(testId(`row-holder-${change}`));
          const seatIds = Array.from({ length: 100 }, (_, i) => `${row}-${i + 1}`);
          const { hold } = await env.client.holdSeats({ eventId: event.id, seatIds }, { token });
          holds.push({ id: hold?.id ?? "", token });
        } else {
          const oldest = holds.shift() as { id: string; token: string };
          await env.client.releaseHold({ holdId: oldest.id }, { token: oldest.token });
        }
        await waitFor("the feed to send the change", () => updatesSent > sent, { intervalMs: 2 });
      }

      // Last, a sale: a state no earlier change made, so the client has caught up only once it has it.
      const sent = updatesSent;
      await env.internal.commitHold({ holdId: holds[0]?.id ?? "", orderId: testId("order-of-a-row") });
      await waitFor("the feed to send the sale", () => updatesSent > sent, { intervalMs: 2 });

      // It reads again: no error, a second snapshot somewhere, and in the end the true state.
      const { seats: truth } = await env.client.getAvailability({ eventId: event.id, includeSeats: true });
      const isCaughtUp = () => truth.every((seat) => picture.get(seat.seatId) === seat.state);
      while (!isCaughtUp()) {
        const next = await stream.next();
        expect(next.done).to.equal(false);
        const message = next.value as WatchAvailabilityResponse;
        if (message.isSnapshot) snapshots.push(message);
        apply(message);
      }
      expect(snapshots).to.have.length(2);
      expect(snapshots[1]?.seats).to.have.length(5000);
      expect(truth.filter((seat) => seat.state === SeatState.SOLD)).to.have.length(100);
      expect(truth.filter((seat) => seat.state === SeatState.HELD)).to.have.length(3900);

      // And it is live again.
      const token = await customerToken(testId("after-the-resync"));
      const spare = truth.find((seat) => seat.state === SeatState.AVAILABLE)?.seatId ?? "";
      await env.client.holdSeats({ eventId: event.id, seatIds: [spare] }, { token });
      for (;;) {
        const next = await stream.next();
        const message = next.value as WatchAvailabilityResponse;
        expect(message.isSnapshot).to.equal(false);
        apply(message);
        if (picture.get(spare) === SeatState.HELD) break;
      }
    } finally {
      abort.abort();
      await pacing;
      await stream.return?.(undefined);
    }
  });
});
