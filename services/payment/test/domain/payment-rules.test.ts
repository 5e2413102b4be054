import { idempotencyKeyPattern } from "@marquee/mesh";
import { expect } from "chai";
import { gatewayKeyOf, requestHashOf, stateAfterRefunds } from "../../src/domain/payment-rules.js";

describe("payment rules", () => {
  it("names a captured payment's state from what is refunded", () => {
    expect(stateAfterRefunds(5000, 0)).to.equal("CAPTURED");
    expect(stateAfterRefunds(5000, 1)).to.equal("PARTIALLY_REFUNDED");
    expect(stateAfterRefunds(5000, 5000)).to.equal("REFUNDED");
  });

  it("hashes the same request alike and any other field differently", () => {
    const base = requestHashOf("REFUND", ["p1", "USD", 100, "late"]);
    expect(requestHashOf("REFUND", ["p1", "USD", 100, "late"])).to.equal(base);
    expect(requestHashOf("REFUND", ["p1", "USD", 101, "late"])).to.not.equal(base);
    expect(requestHashOf("REFUND", ["p1", "USD", 100, "Late"])).to.not.equal(base);
    expect(requestHashOf("CAPTURE", ["p1", "USD", 100, "late"])).to.not.equal(base);
    // Fields cannot run into each other: ["a,b"] is not ["a", "b"].
    expect(requestHashOf("AUTHORIZE", ["a,b"])).to.not.equal(requestHashOf("AUTHORIZE", ["a", "b"]));
  });

  it("derives the gateway's key from the payment's own id, the same on every attempt", () => {
    expect(gatewayKeyOf("capture", "p1")).to.equal(gatewayKeyOf("capture", "p1"));
    expect(gatewayKeyOf("capture", "p1")).to.not.equal(gatewayKeyOf("void", "p1"));
  });

  it("takes 1 to 128 printable ASCII characters as an idempotency key", () => {
    expect(idempotencyKeyPattern.test("order-1:authorize")).to.equal(true);
    expect(idempotencyKeyPattern.test("")).to.equal(false);
    expect(idempotencyKeyPattern.test("x".repeat(129))).to.equal(false);
    expect(idempotencyKeyPattern.test("é")).to.equal(false);
  });
});
