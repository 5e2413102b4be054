import { expect } from "chai";
import { parseRateLimit } from "../../../src/gateway/rate-limit/rate-limit.js";

describe("parseRateLimit", () => {
  it("reads a count per second, minute or hour, the burst defaulting to the count", () => {
    expect({ ...parseRateLimit("10/s") }).to.deep.equal({ burst: 10, msPerToken: 100, text: "10/s:10" });
    expect({ ...parseRateLimit("5/m:10") }).to.deep.equal({ burst: 10, msPerToken: 12_000, text: "5/m:10" });
    expect(parseRateLimit(" 2 / h : 1 ").msPerToken).to.equal(1_800_000);
  });

  it("prints as written", () => {
    expect(String(parseRateLimit("3/s:5"))).to.equal("3/s:5");
  });

  it("refuses anything else, saying how to write one", () => {
    for (const text of ["", "10", "10/d", "0/s", "10/s:0", "-1/s", "1.5/s", "10/s:", "ten/s"]) {
      expect(() => parseRateLimit(text), text).to.throw(/count|burst/);
    }
  });
});
