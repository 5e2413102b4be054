import type { Checker } from "@marquee/mesh";
import { emailProblem } from "../domain/email-address.js";
import { passwordProblem } from "../domain/password-policy.js";

/** Rules several of identity's requests share, each naming the field it checks. */

/** An address an account can have (see `emailProblem`). */
export function checkEmail(check: Checker, field: string, email: string): void {
  const problem = emailProblem(email);
  if (problem !== undefined) check.that(field, false, problem);
}

/** A password a user may choose, for the account with `email` when it is known here. */
export function checkNewPassword(check: Checker, field: string, password: string, email?: string): void {
  const problem = passwordProblem(password, email);
  if (problem !== undefined) check.that(field, false, problem);
}

/** A secret the caller must send (a password to check, a token): present, and not a megabyte. */
export function checkGiven(check: Checker, field: string, value: string, maxLength = 1000): void {
  if (check.that(field, value !== "", "is required")) check.maxLength(field, value, maxLength);
}

const maxDisplayName = 100;

/** A display name: 1 to 100 characters once trimmed, none of them a control character (a line break). */
export function checkDisplayName(check: Checker, field: string, name: string): void {
  const trimmed = name.trim();
  if (!check.that(field, trimmed !== "", "must not be empty")) return;
  check.maxLength(field, trimmed, maxDisplayName);
  check.that(field, !/\p{Cc}/u.test(trimmed), "must not contain control characters such as line breaks");
}

/** A phone number in E.164 form, "+" and up to 15 digits; empty allowed where it clears the number. */
export function checkPhoneNumber(check: Checker, field: string, phone: string): void {
  if (phone === "") return;
  check.matches(field, phone, /^\+[1-9]\d{1,14}$/, 'must be in E.164 form, for example "+8801712345678"');
}
