import { expect } from "chai";
import { seatIdOf, slugOf } from "../../src/domain/seat-ids.js";

describe("slugOf", () => {
  it("makes lower-case ASCII words joined by '-'", () => {
    expect(slugOf("Floor A")).to.equal("floor-a");
    expect(slugOf("  Upper Tier — Block 12 ")).to.equal("upper-tier-block-12");
    expect(slugOf("Café Balcón")).to.equal("cafe-balcon");
  });

  it("is empty for a name without Latin letters or digits, and at most 32 characters", () => {
    expect(slugOf("গ্যালারি")).to.equal("");
    expect(slugOf("a".repeat(40))).to.have.length(32);
  });
});

describe("seatIdOf", () => {
  it("joins section, row and seat labels as <section>:<row>-<seat>", () => {
    expect(seatIdOf("floor-a", "B", "12")).to.equal("floor-a:B-12");
  });
});
