import { expect } from "chai";
import { LatencyRecorder, percentile } from "../../src/support/latency.js";

describe("percentile", () => {
  it("takes the nearest rank of sorted samples", () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).to.equal(50);
    expect(percentile(sorted, 99)).to.equal(99);
    expect(percentile(sorted, 99.9)).to.equal(100);
    expect(percentile([7], 1)).to.equal(7);
  });

  it("is zero without samples", () => {
    expect(percentile([], 50)).to.equal(0);
  });
});

describe("LatencyRecorder", () => {
  it("keeps every sample past its initial capacity and summarises them in order", () => {
    const recorder = new LatencyRecorder();
    for (let i = 200_000; i >= 1; i--) recorder.record(i / 1000);
    const summary = recorder.summary();
    expect(summary.count).to.equal(200_000);
    expect(summary.p50Ms).to.equal(100);
    expect(summary.p99Ms).to.equal(198);
    expect(summary.maxMs).to.equal(200);
    expect(summary.meanMs).to.be.closeTo(100.0005, 1e-9);
  });
});
