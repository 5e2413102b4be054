import { expect } from "chai";
import { waitFor } from "../../src/testing/wait-for.js";

describe("waitFor", () => {
  it("returns the first value the probe gives that is not undefined, null or false", async () => {
    let calls = 0;
    const value = await waitFor("the third call", () => (++calls === 3 ? { calls } : false), { intervalMs: 1 });
    expect(value).to.deep.equal({ calls: 3 });
  });

  it("keeps trying when the probe throws", async () => {
    let calls = 0;
    const value = await waitFor(
      "a probe that recovers",
      () => {
        if (++calls < 3) throw new Error("not yet");
        return calls;
      },
      { intervalMs: 1 },
    );
    expect(value).to.equal(3);
  });

  it("throws, naming what it waited for, once the time is up", async () => {
    let error: unknown;
    await waitFor("something that never happens", () => false, { timeoutMs: 30, intervalMs: 5 }).catch(
      (e) => (error = e),
    );
    expect(String(error)).to.include("timed out after 30 ms waiting for something that never happens");
  });
});
