import { expect } from "chai";
import { type SectionCounts, sectionCounts, slotStates } from "../../src/domain/availability.js";
import { legMask } from "../../src/domain/legs.js";
import { Seating } from "../../src/domain/seating.js";
import {
  AvailabilityFeed,
  type AvailabilityFeedOptions,
  type AvailabilityUpdate,
} from "../../src/feed/availability-feed.js";
import { readSeatSnapshot } from "../../src/store/availability-reader.js";
import { newEventId, policy, rowsOf, sleep, useStore } from "../support/events.js";
import { logger } from "../support/inventory.js";

const whole = { fromLeg: 0, toLeg: 1 };
const mask = legMask(0, 1);

/** 40 seats `stalls:<n>` in four rows of ten, then a general-admission "pit" of 10 places (slots 40–49). */
function hallSeating(eventId: string): Seating {
  return new Seating({
    eventId,
    version: 1n,
    isTrip: false,
    isOnSale: true,
    stopIds: [],
    policy,
    salesStartMs: 0,
    salesEndMs: Number.MAX_SAFE_INTEGER,
    seatedSectionIds: ["stalls"],
    generalAdmission: [{ sectionId: "pit", capacity: 10 }],
    seats: Array.from({ length: 40 }, (_, index) => ({
      id: `stalls:${index}`,
      index,
      sectionId: "stalls",
      rowLabel: String.fromCharCode(65 + Math.floor(index / 10)),
      seatClass: "standard",
      priceTierId: "standard",
    })),
  });
}

/** What a client knows after applying updates: every named seat's state and every section's counts. */
class Picture {
  readonly seats: number[];
  readonly sections = new Map<string, SectionCounts>();
  snapshots = 0;
  changes = 0;

  constructor(seatCount: number) {
    this.seats = new Array(seatCount).fill(-1);
  }

  apply(update: AvailabilityUpdate): void {
    if (update.isSnapshot) {
      // A snapshot replaces everything known, as a client does on resync.
      this.snapshots++;
      this.seats.fill(-1);
      this.sections.clear();
    } else this.changes++;
    for (const { slot, state } of update.seats) this.seats[slot] = state;
    for (const counts of update.sections) this.sections.set(counts.sectionId, { ...counts });
  }
}

/** The truth in Redis, as a fresh snapshot of the ride says it. */
async function truthOf(redis: Parameters<typeof readSeatSnapshot>[0], seating: Seating) {
  const states = slotStates(seating, await readSeatSnapshot(redis, seating.eventId), mask);
  return {
    seats: [...states.subarray(0, seating.seatCount)],
    sections: new Map(sectionCounts(seating, states).map((counts) => [counts.sectionId, counts])),
  };
}

describe("AvailabilityFeed", () => {
  const { store, redis } = useStore();
  let feed: AvailabilityFeed;
  let abort: AbortController;

  /** A loaded event of {@link hallSeating} and a feed with `options`, closed after the test. */
  async function start(options: AvailabilityFeedOptions) {
    const seating = hallSeating(newEventId());
    await store().loadEvent(seating.eventId, seating.slotCount, 1, rowsOf(40, 10));
    feed = new AvailabilityFeed(redis(), logger, { coalesceMs: 5, blockMs: 200, ...options });
    abort = new AbortController();
    const watch = () =>
      feed.watch(seating, mask, abort.signal, () => readSeatSnapshot(redis(), seating.eventId))[Symbol.asyncIterator]();
    // A watcher that always pulls at once: the test waits for it to see each change, so each change is
    // one update, and the slow watcher's backlog grows by exactly one update per change.
    const fast = { picture: new Picture(seating.seatCount), done: Promise.resolve() };
    const fastUpdates = watch();
    fast.done = (async () => {
      for (let next = await fastUpdates.next(); !next.done; next = await fastUpdates.next())
        fast.picture.apply(next.value);
    })();
    await waitUntil(() => fast.picture.snapshots === 1);
    let userCount = 0;
    /** One change: a hold of `seats` (and `places` pit places) for a new user, seen by the fast watcher. */
    const hold = async (seats: number[], places = 0) => {
      const seen = fast.picture.changes;
      const pit = seating.placesOf("pit");
      const outcome = await store().hold({
        eventId: seating.eventId,
        userId: `user-${++userCount}`,
        seatIndexes: seats,
        legs: whole,
        policy,
        places: places > 0 && pit !== undefined ? [{ sectionId: "pit", run: pit, quantity: places }] : [],
      });
      if (outcome.kind !== "held") throw new Error(`the hold was refused: ${outcome.kind}`);
      await waitUntil(() => fast.picture.changes > seen);
      return outcome.hold;
    };
    /** One change: a release or a sale of `holdId`, seen by the fast watcher. */
    const settle = async (how: "release" | "commit", hold: { id: string; userId: string }) => {
      const seen = fast.picture.changes;
      const change =
        how === "release"
          ? await store().release(seating.eventId, hold.id, hold.userId)
          : await store().commit(seating.eventId, hold.id, `order-${hold.id}`);
      if (change.kind !== "ok") throw new Error(`the ${how} was refused: ${change.kind}`);
      await waitUntil(() => fast.picture.changes > seen);
    };
    return { seating, watch, fast, hold, settle };
  }

  afterEach(async () => {
    abort?.abort();
    feed?.close();
    await sleep(20);
  });

  it("sends a watcher that stopped pulling a fresh snapshot on the same stream, then every change again", async () => {
    const { seating, watch, fast, hold, settle } = await start({ maxQueued: 8 });
    const slow = watch();
    const picture = new Picture(seating.seatCount);
    const first = await pull(slow);
    expect(first.isSnapshot).to.equal(true);
    picture.apply(first);

    // The slow watcher stops pulling while 30 changes happen: far more than the 8 updates it may queue.
    const holds = [];
    for (let seat = 0; seat < 20; seat++) holds.push(await hold([seat]));
    await hold([20], 3);
    for (const held of holds.slice(0, 5)) await settle("release", held);
    for (const held of holds.slice(5, 9)) await settle("commit", held);
    expect(fast.picture.changes).to.equal(30);

    // It resumes: a snapshot first (the resync), with the state as it is now, not an error.
    const resync = await pull(slow);
    expect(resync.isSnapshot).to.equal(true);
    picture.apply(resync);
    expect(resync.seats).to.have.length(40);
    expect(resync.sections.map((counts) => counts.sectionId)).to.deep.equal(["stalls", "pit"]);

    // Then live changes again, one by one.
    await hold([39]);
    const next = await pull(slow);
    expect(next.isSnapshot).to.equal(false);
    expect(next.seats).to.deep.equal([{ slot: 39, state: 1 }]);
    picture.apply(next);

    const truth = await truthOf(redis(), seating);
    expect(picture.seats).to.deep.equal(truth.seats);
    expect(picture.sections).to.deep.equal(truth.sections);
    expect(truth.sections.get("stalls")).to.deep.include({ available: 23, held: 13, sold: 4 });
    expect(truth.sections.get("pit")).to.deep.include({ available: 7, held: 3 });
    expect(picture.snapshots).to.equal(2);
    expect(fast.picture.snapshots).to.equal(1);
    expect(fast.picture.seats).to.deep.equal(truth.seats);
  });

  it("keeps a watcher a few updates behind on its queue: each change in order, no second snapshot", async () => {
    const { seating, watch, hold } = await start({ maxQueued: 8 });
    const slow = watch();
    const picture = new Picture(seating.seatCount);
    picture.apply(await pull(slow));
    for (let seat = 0; seat < 5; seat++) await hold([seat]);
    const updates = [];
    for (let i = 0; i < 5; i++) updates.push(await pull(slow));
    for (const update of updates) picture.apply(update);
    expect(updates.map((update) => [update.isSnapshot, update.seats])).to.deep.equal(
      [0, 1, 2, 3, 4].map((slot) => [false, [{ slot, state: 1 }]]),
    );
    expect(picture.seats).to.deep.equal((await truthOf(redis(), seating)).seats);
  });

  it("drops a backlog bigger than a snapshot for the snapshot, however few updates it holds", async () => {
    const { seating, watch, hold } = await start({ maxQueued: 256 });
    const slow = watch();
    const picture = new Picture(seating.seatCount);
    picture.apply(await pull(slow));
    // Four updates of ten seats and a section each: 44 entries queued, more than the snapshot's 42.
    for (let row = 0; row < 4; row++) await hold(Array.from({ length: 10 }, (_, i) => row * 10 + i));
    const resync = await pull(slow);
    expect(resync.isSnapshot).to.equal(true);
    picture.apply(resync);
    expect(picture.seats).to.deep.equal(new Array(40).fill(1));
    expect(picture.sections).to.deep.equal((await truthOf(redis(), seating)).sections);
  });
});

/** The watcher's next update; a watch that ends or throws fails the test. */
async function pull(updates: AsyncIterator<AvailabilityUpdate>): Promise<AvailabilityUpdate> {
  const next = await updates.next();
  if (next.done) throw new Error("the watch ended");
  return next.value;
}

async function waitUntil(condition: () => boolean, withinMs = 5000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > withinMs) throw new Error(`not within ${withinMs} ms`);
    await sleep(2);
  }
}
