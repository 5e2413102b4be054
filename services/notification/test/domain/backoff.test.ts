import { expect } from "chai";
import { retryDelayMs } from "../../src/domain/backoff.js";

describe("retryDelayMs", () => {
  const policy = { maxAttempts: 5, baseMs: 1000, maxMs: 5000 };

  it("doubles the pause after each failed attempt, half of it random", () => {
    expect(retryDelayMs(1, policy, () => 0)).to.equal(500);
    expect(retryDelayMs(1, policy, () => 1)).to.equal(1000);
    expect(retryDelayMs(2, policy, () => 1)).to.equal(2000);
    expect(retryDelayMs(3, policy, () => 0.5)).to.equal(3000);
  });

  it("never waits longer than maxMs", () => {
    expect(retryDelayMs(4, policy, () => 1)).to.equal(5000);
  });

  it("gives up after maxAttempts attempts", () => {
    expect(retryDelayMs(5, policy, () => 1)).to.equal(undefined);
    expect(retryDelayMs(1, { ...policy, maxAttempts: 1 })).to.equal(undefined);
  });
});
