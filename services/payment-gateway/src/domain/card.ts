import type { CardBrand, CardDetails } from "../api.js";
import { cardInvalid, invalidParam, missing } from "../errors.js";

/** A card as tokenize accepts it: the number is kept only inside the gateway, to pick a test card's behaviour. */
export interface ValidCard {
  number: string;
  details: CardDetails;
}

/** The Luhn (mod 10) checksum every card number carries in its last digit. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** The brand from the number's leading digits (IIN ranges as the networks publish them). */
export function brandOf(digits: string): CardBrand {
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  if (digits.startsWith("4")) return "visa";
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return "mastercard";
  if (two === 34 || two === 37) return "amex";
  if (digits.startsWith("6011") || two === 65 || (four >= 6440 && four <= 6499)) return "discover";
  if (four >= 3528 && four <= 3589) return "jcb";
  if (two === 36 || two === 38 || (four >= 3000 && four <= 3059)) return "diners";
  if (two === 62) return "unionpay";
  return "unknown";
}

/** An integer from JSON, where Stripe's form encoding would have sent digits as a string. */
function integerOf(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^\d{1,4}$/.test(value.trim())) return Number(value);
  return undefined;
}

/**
 * Checks a card as Stripe's tokenize does — number (digits, length, Luhn), expiry (a card is good through
 * the last day of its month, UTC), CVC (4 digits for amex, else 3) — and throws the first problem as a
 * 400 naming the field. Declines are not decided here: they happen at authorization.
 */
export function validateCard(card: unknown, now: Date): ValidCard {
  if (card === undefined) throw missing("card");
  if (typeof card !== "object" || card === null || Array.isArray(card)) {
    throw invalidParam("parameter_invalid", "card must be an object.", "card");
  }
  const fields = card as Record<string, unknown>;
  for (const name of Object.keys(fields)) {
    if (!["number", "exp_month", "exp_year", "cvc"].includes(name)) {
      throw invalidParam("parameter_unknown", `Received unknown parameter: card[${name}]`, `card[${name}]`);
    }
  }
  for (const name of ["number", "exp_month", "exp_year", "cvc"]) {
    if (fields[name] === undefined || fields[name] === "") throw missing(`card[${name}]`);
  }

  // Spaces and dashes are how people type numbers; anything else is not a number.
  const number = typeof fields.number === "string" ? fields.number.replace(/[\s-]/g, "") : "";
  if (!/^\d{12,19}$/.test(number)) {
    throw cardInvalid("invalid_number", "The card number is not a valid credit card number.", "card[number]");
  }
  if (!passesLuhn(number)) throw cardInvalid("incorrect_number", "The card number is incorrect.", "card[number]");
  const brand = brandOf(number);

  const month = integerOf(fields.exp_month);
  if (month === undefined || month < 1 || month > 12) {
    throw cardInvalid("invalid_expiry_month", "The card's expiration month is invalid.", "card[exp_month]");
  }
  let year = integerOf(fields.exp_year);
  if (year !== undefined && year < 100) year += 2000;
  const thisYear = now.getUTCFullYear();
  if (year === undefined || year < 2000 || year > thisYear + 50) {
    throw cardInvalid("invalid_expiry_year", "The card's expiration year is invalid.", "card[exp_year]");
  }
  if (year < thisYear)
    throw cardInvalid("expired_card", "The card's expiration year is in the past.", "card[exp_year]");
  if (year === thisYear && month < now.getUTCMonth() + 1) {
    throw cardInvalid("expired_card", "The card's expiration date is in the past.", "card[exp_month]");
  }

  const cvcLength = brand === "amex" ? 4 : 3;
  if (typeof fields.cvc !== "string" || !new RegExp(`^\\d{${cvcLength}}$`).test(fields.cvc)) {
    throw cardInvalid("invalid_cvc", `The card's security code must be ${cvcLength} digits.`, "card[cvc]");
  }

  return { number, details: { brand, last4: number.slice(-4), exp_month: month, exp_year: year } };
}
