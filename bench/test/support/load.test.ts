import { expect } from "chai";
import { runLoad, SupplyExhausted } from "../../src/support/load.js";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("runLoad", () => {
  it("counts only what completes inside the window, with every worker busy", async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    let windows = 0;
    const result = await runLoad(
      { concurrency: 8, warmupMs: 100, durationMs: 300, onWindowStart: () => windows++, onWindowEnd: () => windows++ },
      {
        async run() {
          inFlight++;
          mostInFlight = Math.max(mostInFlight, inFlight);
          await sleep(10);
          inFlight--;
        },
      },
    );
    expect(windows).to.equal(2);
    expect(mostInFlight).to.equal(8);
    expect(result.windowMs).to.be.within(290, 400);
    expect(result.warmupCompleted).to.be.greaterThan(0);
    // 8 workers finishing a request every ~10 ms: ~800/s, less timer slack.
    expect(result.perSecond).to.be.within(300, 850);
    expect(result.latency.p50Ms).to.be.within(9, 40);
    expect(result.failed).to.equal(0);
  });

  it("counts failures apart and keeps the first one's message", async () => {
    let n = 0;
    const result = await runLoad(
      { concurrency: 2, warmupMs: 0, durationMs: 100 },
      {
        async run() {
          await sleep(5);
          if (n++ % 2 === 0) throw new Error(`refused ${n}`);
        },
      },
    );
    expect(result.failed).to.be.greaterThan(0);
    expect(result.completed).to.be.greaterThan(0);
    expect(result.firstFailure).to.match(/^refused \d+$/);
  });

  it("closes the window early when the work runs out, and says so", async () => {
    let left = 30;
    const result = await runLoad(
      { concurrency: 3, warmupMs: 0, durationMs: 5_000 },
      {
        async run() {
          if (left-- <= 0) throw new SupplyExhausted("no more");
          await sleep(2);
        },
      },
    );
    expect(result.isExhausted).to.equal(true);
    // The window closes as the first worker finds nothing left; requests still in flight then do not count.
    expect(result.completed).to.be.within(28, 30);
    expect(result.windowMs).to.be.lessThan(1_000);
  });

  it("runs settle after each timed request, outside its latency", async () => {
    const result = await runLoad(
      { concurrency: 1, warmupMs: 0, durationMs: 200 },
      {
        run: async () => sleep(2),
        settle: async () => sleep(20),
      },
    );
    expect(result.latency.maxMs).to.be.lessThan(15);
    expect(result.completed).to.be.within(5, 12);
  });
});
