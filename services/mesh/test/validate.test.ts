import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { Checker, isCanonicalUuid } from "../src/validate.js";

const canonical = "0b6f3c2e-9a41-4d7e-8c15-2f0e6a9b7d31";

/** Runs one check on a fresh Checker: whether it passed and what it recorded. */
function run(check: (checker: Checker) => boolean) {
  const checker = new Checker();
  return { passed: check(checker), violations: checker.violations };
}

describe("Checker", () => {
  describe("uuid", () => {
    it("passes a UUID in canonical lower-case form, as crypto.randomUUID() writes it", () => {
      for (const value of [canonical, randomUUID(), "00000000-0000-0000-0000-000000000000"]) {
        expect(
          run((check) => check.uuid("event_id", value)),
          value,
        ).to.deep.equal({ passed: true, violations: [] });
      }
    });

    it("refuses any other spelling of a UUID, saying the canonical form is required (issue #20)", () => {
      const spellings = [
        canonical.toUpperCase(),
        canonical.replace("b", "B"),
        canonical.replaceAll("-", ""),
        `{${canonical}}`,
        `urn:uuid:${canonical}`,
        ` ${canonical}`,
        `${canonical}\n`,
        canonical.slice(1),
        `${canonical}0`,
        canonical.replace("0b", "0g"),
        "",
      ];
      for (const value of spellings) {
        expect(
          run((check) => check.uuid("event_id", value)),
          JSON.stringify(value),
        ).to.deep.equal({
          passed: false,
          violations: [{ field: "event_id", description: "must be a UUID in canonical lower-case form" }],
        });
      }
    });
  });

  describe("id", () => {
    it("passes a canonical UUID", () => {
      expect(run((check) => check.id("venue_id", canonical))).to.deep.equal({ passed: true, violations: [] });
    });

    it("says an empty, blank or missing id is required, once", () => {
      for (const value of ["", "   ", undefined]) {
        expect(
          run((check) => check.id("venue_id", value)),
          JSON.stringify(value),
        ).to.deep.equal({
          passed: false,
          violations: [{ field: "venue_id", description: "is required" }],
        });
      }
    });

    it("refuses an id in another spelling rather than lower-casing it", () => {
      const checker = new Checker();
      expect(checker.id("order_id", canonical.toUpperCase())).to.equal(false);
      expect(checker.id("event.venue_id", "not-a-uuid")).to.equal(false);
      expect(checker.violations).to.deep.equal([
        { field: "order_id", description: "must be a UUID in canonical lower-case form" },
        { field: "event.venue_id", description: "must be a UUID in canonical lower-case form" },
      ]);
    });
  });
});

describe("isCanonicalUuid", () => {
  it("is true for the lower-case 8-4-4-4-12 form only", () => {
    expect(isCanonicalUuid(canonical)).to.equal(true);
    expect(isCanonicalUuid(canonical.toUpperCase())).to.equal(false);
    expect(isCanonicalUuid(`${canonical}.${canonical}`)).to.equal(false);
  });
});
