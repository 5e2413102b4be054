import { expect } from "chai";
import { HoldStore } from "../../src/store/hold-store.js";
import { newEventId, policy, rowsOf, useStore } from "../support/events.js";

describe("HoldScripts", () => {
  const { store, redis } = useStore();

  it("reloads a script the server lost (SCRIPT FLUSH) and runs it", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 5, 1, rowsOf(5, 5));
    await redis().script("FLUSH");
    const outcome = await store().hold({
      eventId,
      userId: "u1",
      seatIndexes: [0],
      legs: { fromLeg: 0, toLeg: 1 },
      policy,
    });
    expect(outcome.kind).to.equal("held");
  });

  it("works before init, loading on the first NOSCRIPT", async () => {
    await redis().script("FLUSH");
    const fresh = new HoldStore(redis());
    expect(await fresh.loadEvent(newEventId(), 3, 1, rowsOf(3, 3))).to.equal("loaded");
  });
});
