import { expect } from "chai";
import type { AvailabilityUpdate } from "../../src/feed/availability-feed.js";
import { WatcherBacklog } from "../../src/feed/watcher-backlog.js";

/** A change of `seatCount` seats in one section, at stream id `<n>-0`. */
function update(n: number, seatCount = 1): AvailabilityUpdate {
  return {
    isSnapshot: false,
    seats: Array.from({ length: seatCount }, (_, slot) => ({ slot, state: 1 })),
    sections: [{ sectionId: "stalls", available: 0, held: seatCount, sold: 0, capacity: 40 }],
    cursor: `${n}-0`,
    changeTimeMs: n,
  };
}

describe("WatcherBacklog", () => {
  it("gives back what it was given, in order, while within its bounds", () => {
    const backlog = new WatcherBacklog(3, 100);
    for (const n of [1, 2, 3]) expect(backlog.push(update(n))).to.equal(false);
    const taken = [backlog.take(), backlog.take(), backlog.take(), backlog.take()];
    expect(taken.map((item) => (item?.kind === "update" ? item.update.cursor : item?.kind))).to.deep.equal([
      "1-0",
      "2-0",
      "3-0",
      undefined,
    ]);
  });

  it("owes one resync instead of its updates past maxUpdates, and ignores updates until it is taken", () => {
    const backlog = new WatcherBacklog(3, 100);
    for (const n of [1, 2, 3]) backlog.push(update(n));
    expect(backlog.push(update(4))).to.equal(true);
    expect(backlog.push(update(5))).to.equal(false);
    expect(backlog.take()).to.deep.equal({ kind: "resync" });
    expect(backlog.take()).to.equal(undefined);
    backlog.push(update(6));
    expect(backlog.take()).to.deep.include({ kind: "update" });
  });

  it("owes a resync once its seats and sections would pass maxEntries, however few updates it holds", () => {
    const backlog = new WatcherBacklog(256, 42);
    for (const n of [1, 2, 3]) expect(backlog.push(update(n, 10))).to.equal(false);
    expect(backlog.push(update(4, 10))).to.equal(true);
    expect(backlog.take()).to.deep.equal({ kind: "resync" });
  });

  it("counts what was taken out of its bound", () => {
    const backlog = new WatcherBacklog(256, 42);
    for (let n = 0; n < 100; n++) {
      expect(backlog.push(update(n, 10))).to.equal(false);
      backlog.take();
    }
  });

  it("wakes a waiting watcher on push and on interrupt", async () => {
    const backlog = new WatcherBacklog(3, 100);
    const pushed = backlog.next();
    backlog.push(update(1));
    await pushed;
    const interrupted = backlog.next();
    backlog.interrupt();
    await interrupted;
  });
});
