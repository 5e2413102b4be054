import type { Checker } from "@marquee/mesh";
import type { BuyerContact } from "@marquee/proto/marquee/ordering/v1/order_pb.js";

/**
 * Rules shared by ordering's requests. What a hold id looks like is inventory's business: ordering
 * checks that one is given and not absurd, and an id inventory does not know is NOT_FOUND.
 */
export function checkHoldId(check: Checker, holdId: string): void {
  if (check.required("hold_id", holdId)) check.maxLength("hold_id", holdId, 200);
}

/** An address with one @, something before it and a dotted domain after, no spaces: what mail accepts. */
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** E.164: a plus, a non-zero digit, up to 15 digits in all. */
const phonePattern = /^\+[1-9]\d{6,14}$/;

export function checkBuyer(check: Checker, buyer: BuyerContact | undefined): void {
  if (!check.present("buyer", buyer)) return;
  if (check.required("buyer.name", buyer.name)) check.maxLength("buyer.name", buyer.name, 200);
  if (check.required("buyer.email", buyer.email)) checkEmail(check, "buyer.email", buyer.email);
  if (buyer.phone !== "") {
    check.matches(
      "buyer.phone",
      buyer.phone,
      phonePattern,
      "must be a phone number in E.164 form, e.g. +8801712345678",
    );
  }
}

/** An email address: at most 254 characters (what SMTP carries), of {@link emailPattern}'s form. */
export function checkEmail(check: Checker, field: string, email: string): boolean {
  return check.maxLength(field, email, 254) && check.matches(field, email, emailPattern, "must be an email address");
}

/** A free-text note: at most 500 characters. */
export function checkNote(check: Checker, note: string): void {
  check.maxLength("note", note, 500);
}
