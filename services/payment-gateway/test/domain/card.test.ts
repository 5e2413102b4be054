import { expect } from "chai";
import { brandOf, passesLuhn, validateCard } from "../../src/domain/card.js";
import { testCards } from "../../src/domain/test-cards.js";
import type { GatewayError } from "../../src/errors.js";

const now = new Date("2026-06-15T12:00:00Z");

function codeOf(card: unknown): string | undefined {
  try {
    validateCard(card, now);
    return undefined;
  } catch (error) {
    return (error as GatewayError).code;
  }
}

describe("card validation", () => {
  it("accepts every test card number by the Luhn check", () => {
    for (const number of testCards.keys()) expect(passesLuhn(number), number).to.equal(true);
    expect(passesLuhn("4242424242424241")).to.equal(false);
  });

  it("names the brand from the leading digits", () => {
    expect(brandOf("4242424242424242")).to.equal("visa");
    expect(brandOf("5555555555554444")).to.equal("mastercard");
    expect(brandOf("2223003122003222")).to.equal("mastercard");
    expect(brandOf("378282246310005")).to.equal("amex");
    expect(brandOf("6011111111111117")).to.equal("discover");
    expect(brandOf("3566002020360505")).to.equal("jcb");
    expect(brandOf("9999999999999995")).to.equal("unknown");
  });

  it("keeps the last four digits and the expiry, never the number, in the card details", () => {
    const card = validateCard({ number: "4242 4242 4242 4242", exp_month: "7", exp_year: 30, cvc: "123" }, now);
    expect(card.details).to.deep.equal({ brand: "visa", last4: "4242", exp_month: 7, exp_year: 2030 });
    expect(JSON.stringify(card.details)).not.to.include("424242424242");
  });

  it("treats a card as valid through the last day of its expiry month", () => {
    expect(codeOf({ number: "4242424242424242", exp_month: 6, exp_year: 2026, cvc: "123" })).to.equal(undefined);
    expect(codeOf({ number: "4242424242424242", exp_month: 5, exp_year: 2026, cvc: "123" })).to.equal("expired_card");
    expect(codeOf({ number: "4242424242424242", exp_month: 12, exp_year: 2025, cvc: "123" })).to.equal("expired_card");
  });

  it("refuses each bad field with its own code", () => {
    const good = { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" };
    expect(codeOf({ ...good, number: "4242424242424241" })).to.equal("incorrect_number");
    expect(codeOf({ ...good, number: "4242abcd" })).to.equal("invalid_number");
    expect(codeOf({ ...good, exp_month: 13 })).to.equal("invalid_expiry_month");
    expect(codeOf({ ...good, exp_year: 2099 })).to.equal("invalid_expiry_year");
    expect(codeOf({ ...good, cvc: "12" })).to.equal("invalid_cvc");
    expect(codeOf({ ...good, number: "378282246310005", cvc: "123" })).to.equal("invalid_cvc");
    expect(codeOf({ ...good, cvc: undefined })).to.equal("parameter_missing");
    expect(codeOf({ ...good, name: "A. Buyer" })).to.equal("parameter_unknown");
    expect(codeOf(undefined)).to.equal("parameter_missing");
  });
});
