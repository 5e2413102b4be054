import { createHash, randomInt } from "node:crypto";

/**
 * Recovery codes: 10 per account, each 16 characters of an unambiguous lower-case alphabet (no 0/o,
 * 1/i/l: 31 symbols, so 79 random bits), shown in four groups of four. What is typed is forgiving: case,
 * dashes and spaces are ignored. Stored as SHA-256 over the user id and the code: 79 random bits need no
 * slow hash (nobody can try 2^79 candidates against a stolen row), and the user id keeps one table of
 * hashes from serving every account.
 */

export const recoveryCodeCount = 10;

const alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
const codeLength = 16;

/** Fresh codes, in their shown form `abcd-efgh-jkmn-pqrs`. */
export function newRecoveryCodes(count = recoveryCodeCount): string[] {
  return Array.from({ length: count }, () => {
    const symbols = Array.from({ length: codeLength }, () => alphabet[randomInt(alphabet.length)]).join("");
    return symbols.match(/.{4}/g)?.join("-") ?? symbols;
  });
}

/** A typed code in its compared form, or null when it cannot be a recovery code. */
export function normalRecoveryCode(typed: string): string | null {
  const compact = typed.toLowerCase().replace(/[\s-]/g, "");
  return compact.length === codeLength && [...compact].every((symbol) => alphabet.includes(symbol)) ? compact : null;
}

/** The stored form of a user's code (already normalised). */
export function recoveryCodeHash(userId: string, normalCode: string): string {
  return createHash("sha256").update(`${userId}:${normalCode}`).digest("hex");
}
