import { emailKeyOf } from "./email-address.js";

/**
 * What a new password must be, after NIST SP 800-63B §5.1.1.2: long enough, not absurdly long, any
 * characters, no composition rules (they make passwords harder to remember, not to guess), and not one
 * that attackers try first: a commonly used password or the account's own address. The bounds are the
 * proto's (12 to 128 characters).
 */
export const passwordLength = { min: 12, max: 128 } as const;

/**
 * The form a password is hashed and compared in: NFKC, as SP 800-63B asks of Unicode passwords, so the
 * same password typed on two keyboards (a precomposed "é", or "e" and a combining accent; a full-width
 * digit) is one password.
 */
export function normalPassword(typed: string): string {
  return typed.normalize("NFKC");
}

/**
 * Why `password` may not be chosen, for an account with `email` (when known); undefined when it may.
 * Length counts code points of the normal form, as a person counts characters.
 */
export function passwordProblem(password: string, email?: string): string | undefined {
  const normal = normalPassword(password);
  const length = [...normal].length;
  if (length < passwordLength.min) return `must be at least ${passwordLength.min} characters`;
  if (length > passwordLength.max) return `must be at most ${passwordLength.max} characters`;
  if (isCommon(normal)) return "is too common: attackers try it first; choose another";
  if (email !== undefined && isTheEmail(normal, email)) return "must not be the email address";
  return undefined;
}

function isTheEmail(password: string, email: string): boolean {
  const folded = password.toLowerCase();
  const key = emailKeyOf(email);
  return folded === key || folded === key.slice(0, key.lastIndexOf("@"));
}

/**
 * Passwords of 12 characters or more of the kinds that top the public breach-corpus lists: digit runs,
 * keyboard walks, doubled words. A short list, so it costs nothing per request; a check against a full
 * breach corpus (k-anonymity ranges of Have I Been Pwned) would be the stronger follow-up.
 */
const commonPasswords: ReadonlySet<string> = new Set([
  "123456789012",
  "1234567890123",
  "12345678901234",
  "123456789123",
  "123123123123",
  "111111111111",
  "000000000000",
  "121212121212",
  "123412341234",
  "147258369147",
  "987654321098",
  "1q2w3e4r5t6y",
  "1qaz2wsx3edc",
  "qazwsxedcrfv",
  "qwertyuiopas",
  "qwertyuiop12",
  "qwertyuiop123",
  "qwerty123456",
  "asdfghjkl123",
  "zxcvbnm12345",
  "abcdefghijkl",
  "abc123abc123",
  "aaaaaaaaaaaa",
  "passwordpassword",
  "iloveyouiloveyou",
  "correcthorsebatterystaple",
  "welcome12345",
  "changeme1234",
  "letmeinletmein",
]);

/**
 * The words people most often make a longer password from by appending digits and symbols
 * ("password1234!", "Welcome2024!!"): refused too, whatever the suffix.
 */
const commonStems: ReadonlySet<string> = new Set([
  "password",
  "passw0rd",
  "p@ssword",
  "p@ssw0rd",
  "qwerty",
  "qwertyuiop",
  "iloveyou",
  "welcome",
  "letmein",
  "admin",
  "administrator",
  "changeme",
  "monkey",
  "dragon",
  "football",
  "baseball",
  "sunshine",
  "princess",
  "superman",
  "trustno",
  "master",
  "marquee",
  "ticket",
  "tickets",
]);

function isCommon(password: string): boolean {
  const folded = password.toLowerCase();
  if (commonPasswords.has(folded)) return true;
  // One character repeated, however long: "xxxxxxxxxxxxxxxx".
  if (new Set(folded).size === 1) return true;
  const stem = folded.replace(/[\d\W_]+$/u, "");
  return commonStems.has(stem);
}
