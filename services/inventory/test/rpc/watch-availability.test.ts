import { customerToken, testId } from "@marquee/mesh/testing";
import { SeatState, type WatchAvailabilityResponse } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { expect } from "chai";
import { startSweeper } from "../../src/background/sweeper.js";
import { coach, concertIn, expireNow, hall, publish, ride, tripOn, useInventory } from "../support/inventory.js";

/** Reads a stream in the background, keeping every message, until aborted. */
function collect(stream: AsyncIterable<WatchAvailabilityResponse>) {
  const messages: WatchAvailabilityResponse[] = [];
  const done = (async () => {
    try {
      for await (const message of stream) messages.push(message);
    } catch {
      // Aborted by the test.
    }
  })();
  return { messages, done };
}

/** Waits until `messages` has one whose seats match, within `withinMs`; returns how long it took. */
async function changeSeen(
  messages: WatchAvailabilityResponse[],
  matches: (message: WatchAvailabilityResponse) => boolean,
  withinMs = 1000,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    if (messages.some(matches)) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no matching change within ${withinMs} ms; got ${JSON.stringify(messages.map((m) => m.seats))}`);
}

/** A change (not the snapshot) saying seat `id` is now in `state`. */
const seat = (id: string, state: SeatState) => (message: WatchAvailabilityResponse) =>
  !message.isSnapshot && message.seats.some((s) => s.seatId === id && s.state === state);

describe("InventoryService.WatchAvailability", () => {
  const env = useInventory();

  it("streams a snapshot, then every hold, release, expiry and sale within a second", async () => {
    const event = await publish(env.catalog, hall, concertIn);
    const token = await customerToken(testId("watched-buyer"));
    await env.client.holdSeats({ eventId: event.id, seatIds: ["stalls:A-1"] }, { token });
    const abort = new AbortController();
    const { messages, done } = collect(
      env.client.watchAvailability({ eventId: event.id }, { signal: abort.signal, timeoutMs: 60_000 }),
    );
    try {
      await changeSeen(messages, (m) => m.isSnapshot);
      const snapshot = messages[0];
      expect(snapshot?.isSnapshot).to.equal(true);
      expect(snapshot?.seats).to.have.length(54);
      expect(snapshot?.seats.find((s) => s.seatId === "stalls:A-1")?.state).to.equal(SeatState.HELD);
      expect(snapshot?.sections.map((s) => s.sectionId)).to.deep.equal(["stalls", "box", "pit"]);

      const { hold } = await env.client.holdSeats(
        { eventId: event.id, seatIds: ["stalls:B-1", "stalls:B-2"] },
        { token },
      );
      await changeSeen(messages, seat("stalls:B-2", SeatState.HELD));
      await env.client.releaseHold({ holdId: hold?.id ?? "" }, { token });
      await changeSeen(messages, seat("stalls:B-2", SeatState.AVAILABLE));

      const { hold: lapsing } = await env.client.holdSeats({ eventId: event.id, seatIds: ["stalls:C-1"] }, { token });
      await changeSeen(messages, seat("stalls:C-1", SeatState.HELD));
      await expireNow(env.redis, event.id, lapsing?.id ?? "");
      const sweeper = startSweeper(env.inventory, { intervalMs: 20 });
      try {
        await changeSeen(messages, seat("stalls:C-1", SeatState.AVAILABLE));
      } finally {
        await sweeper.stop();
      }

      const { hold: paid } = await env.client.holdSeats({ eventId: event.id, seatIds: ["stalls:D-1"] }, { token });
      await env.internal.commitHold({ holdId: paid?.id ?? "", orderId: testId("order-watched") });
      await changeSeen(messages, seat("stalls:D-1", SeatState.SOLD));
      const last = messages.at(-1);
      expect(last?.isSnapshot).to.equal(false);
      expect(last?.sections.find((s) => s.sectionId === "stalls")).to.deep.include({ sold: 1, held: 1, available: 48 });
    } finally {
      abort.abort();
      await done;
    }
  });

  it("streams per ride: a change on other legs is no change, and one reader serves many watchers", async () => {
    const trip = await publish(env.catalog, coach, tripOn);
    const abort = new AbortController();
    const early = Array.from({ length: 20 }, () =>
      collect(
        env.client.watchAvailability(
          { eventId: trip.id, ride: ride("dhaka", "faridpur") },
          { signal: abort.signal, timeoutMs: 60_000 },
        ),
      ),
    );
    const late = collect(
      env.client.watchAvailability(
        { eventId: trip.id, ride: ride("benapole", "kolkata") },
        { signal: abort.signal, timeoutMs: 60_000 },
      ),
    );
    try {
      for (const watcher of [...early, late]) await changeSeen(watcher.messages, (m) => m.isSnapshot);
      expect(env.inventory.feed.watchedEvents()).to.deep.equal([trip.id]);
      const token = await customerToken(testId("traveller"));
      await env.client.holdSeats(
        { eventId: trip.id, ride: ride("jessore", "kolkata"), seatIds: ["cabin:3-C"] },
        { token },
      );
      await changeSeen(late.messages, seat("cabin:3-C", SeatState.HELD));
      await env.client.holdSeats(
        { eventId: trip.id, ride: ride("dhaka", "faridpur"), seatIds: ["cabin:4-C"] },
        { token },
      );
      for (const watcher of early) {
        await changeSeen(watcher.messages, seat("cabin:4-C", SeatState.HELD));
        expect(watcher.messages.some((m) => m.seats.some((s) => s.seatId === "cabin:3-C" && !m.isSnapshot))).to.equal(
          false,
        );
      }
    } finally {
      abort.abort();
      await Promise.all([...early, late].map((watcher) => watcher.done));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(env.inventory.feed.watchedEvents()).to.deep.equal([]);
  });
});
