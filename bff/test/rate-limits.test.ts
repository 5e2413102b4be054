import { loadConfig } from "@marquee/mesh";
import { expect } from "chai";
import { contractServices, isInternalMethod, parseRateLimit } from "../src/gateway/index.js";
import { defaultRateLimits, rateLimitRulesOf, rateLimitSettings, rpcRateLimits } from "../src/rate-limits.js";

describe("the rate-limit table (src/rate-limits.ts)", () => {
  it("names only public RPCs of the contract, each in one bucket of its scope", async () => {
    const publicRpcs = new Set(
      (await contractServices()).flatMap((service) =>
        service.methods.filter((m) => !isInternalMethod(m)).map((m) => `${service.typeName}/${m.name}`),
      ),
    );
    const rules = rateLimitRulesOf(loadConfig(rateLimitSettings, {}));
    for (const rule of rules) {
      for (const rpc of rule.rpcs) expect(publicRpcs.has(rpc), `${rule.name}: ${rpc}`).to.equal(true);
    }
    const scoped = rules.flatMap((rule) => rule.rpcs.map((rpc) => `${rule.per} ${rpc}`));
    expect(new Set(scoped).size, "an RPC in two buckets of one scope").to.equal(scoped.length);
    expect(new Set(rules.map((rule) => rule.name)).size, "bucket names").to.equal(rules.length);
  });

  it("has a config variable for each limit, defaulting to the table's value and overridable", () => {
    expect(Object.keys(rateLimitSettings)).to.have.members([
      ...Object.keys(defaultRateLimits),
      ...rpcRateLimits.map((limit) => limit.setting),
    ]);
    const defaults = loadConfig(rateLimitSettings, {});
    expect(String(defaults.RATE_LIMIT_HOLDS)).to.equal("10/s:10");
    const tuned = loadConfig(rateLimitSettings, { RATE_LIMIT_HOLDS: "20/s:40" });
    const holds = rateLimitRulesOf(tuned).find((rule) => rule.name === "holds");
    expect(holds?.limit).to.deep.equal(parseRateLimit("20/s:40"));
    expect(holds?.rpcs).to.deep.equal([
      "marquee.inventory.v1.InventoryService/HoldSeats",
      "marquee.inventory.v1.InventoryService/HoldBestAvailable",
    ]);
    expect(() => loadConfig(rateLimitSettings, { RATE_LIMIT_PER_IP: "lots" })).to.throw(/RATE_LIMIT_PER_IP/);
  });

  it("is stricter on holds and checkout than the default per user, and on sign-in than the default per IP", () => {
    const values = loadConfig(rateLimitSettings, {});
    const perUser = parseRateLimit(defaultRateLimits.RATE_LIMIT_PER_USER.defaultLimit);
    const perIp = parseRateLimit(defaultRateLimits.RATE_LIMIT_PER_IP.defaultLimit);
    for (const rule of rateLimitRulesOf(values)) {
      const base = rule.per === "user" ? perUser : perIp;
      expect(rule.limit.msPerToken, rule.name).to.be.above(base.msPerToken);
      expect(rule.limit.burst, rule.name).to.be.below(base.burst);
    }
  });
});
