import { expect } from "chai";
import { areaOf, type CpuProfile, summariseProfile } from "../../src/support/cpu-profile.js";

const frame = (functionName: string, url = "", lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0 });

/** Samples 1 ms apart from t = 1000 µs: idle, hold, hold, verify, idle, gc, hold. */
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame("(root)") },
    { id: 2, callFrame: frame("(idle)") },
    { id: 3, callFrame: frame("hold", "file:///repo/services/inventory/src/store/hold-store.ts", 9) },
    { id: 4, callFrame: frame("verify", "file:///repo/node_modules/jose/dist/webapi/jwt/verify.js", 1) },
    { id: 5, callFrame: frame("(garbage collector)") },
  ],
  startTime: 0,
  endTime: 8_000,
  samples: [2, 3, 3, 4, 2, 5, 3],
  timeDeltas: [1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000],
};

describe("summariseProfile", () => {
  it("sums self time per function and area, idle apart, each sample lasting until the next", () => {
    const summary = summariseProfile(profile, { repoRoot: "/repo" });
    expect(summary.samples).to.equal(7);
    expect(summary.sampledMs).to.equal(7);
    expect(summary.idleMs).to.equal(2);
    expect(summary.busyMs).to.equal(5);
    expect(summary.top[0]).to.deep.include({
      name: "hold",
      location: "services/inventory/src/store/hold-store.ts:10",
      area: "@marquee/inventory",
      selfMs: 3,
      share: 0.6,
    });
    expect(summary.areas.map((a) => a.area)).to.deep.equal(["@marquee/inventory", "jose", "V8: garbage collector"]);
  });

  it("keeps only the samples inside a window of the monotonic clock", () => {
    const summary = summariseProfile(profile, { fromUs: 2_000, toUs: 4_000 });
    expect(summary.samples).to.equal(2);
    expect(summary.top.map((f) => [f.name, f.selfMs])).to.deep.equal([["hold", 2]]);
  });
});

describe("areaOf", () => {
  it("names packages, workspaces, Node modules and V8", () => {
    expect(areaOf("f", "file:///w/node_modules/@grpc/grpc-js/build/src/server.js")).to.equal("@grpc/grpc-js");
    expect(areaOf("f", "/w/node_modules/ioredis/built/Redis.js")).to.equal("ioredis");
    expect(areaOf("f", "file:///w/services/mesh/src/server.ts")).to.equal("@marquee/mesh");
    expect(areaOf("f", "file:///w/bff/src/gateway/forward.ts")).to.equal("@marquee/bff");
    expect(areaOf("f", "file:///w/proto/gen/marquee/inventory/v1/inventory_pb.ts")).to.equal("@marquee/proto");
    expect(areaOf("f", "node:internal/http2/core")).to.equal("node:http2");
    expect(areaOf("f", "node:net")).to.equal("node:net");
    expect(areaOf("(garbage collector)", "")).to.equal("V8: garbage collector");
    expect(areaOf("writev", "")).to.equal("V8: builtins");
  });
});
