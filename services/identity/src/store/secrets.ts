import { createHash, randomBytes } from "node:crypto";

/**
 * Refresh tokens and link tokens: 256 random bits, base64url (43 characters), stored only as their
 * SHA-256. A fast hash suffices, unlike for passwords: nobody can guess 256 random bits, so a stolen
 * table of hashes gives nothing to brute-force, and a lookup by hash needs no per-row salt.
 */
export function newSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** The stored form of a secret: hex SHA-256. */
export function hashOfSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** Whether `value` could be a secret of {@link newSecret}: checked before any lookup. */
export function isSecretShaped(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}
