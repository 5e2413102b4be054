import { expect } from "chai";
import { HoldScripts } from "../../src/store/hold-scripts.js";
import { HoldStore } from "../../src/store/hold-store.js";
import { holdKey, scriptKeys } from "../../src/store/keys.js";
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

  it("refuses a declared hold key that is not the key of the hold id, before writing anything", async () => {
    const eventId = newEventId();
    await store().loadEvent(eventId, 5, 1, rowsOf(5, 5));
    const scripts = new HoldScripts(redis());
    const args = ["h1", "u1", "0", 1, 0, 60_000, 0];
    const wrong = await scripts.run("hold", scriptKeys(eventId, holdKey(eventId, "h2")), args).then(
      () => "",
      (error: Error) => error.message,
    );
    expect(wrong).to.contain(`KEYS[10] is {ev:${eventId}}:hold:h2, expected {ev:${eventId}}:hold:h1`);
    expect((await store().seatStates(eventId)).held[0]).to.equal(0);
    expect(await scripts.run("hold", scriptKeys(eventId, holdKey(eventId, "h1")), args)).to.have.property("0", "OK");
  });
});
