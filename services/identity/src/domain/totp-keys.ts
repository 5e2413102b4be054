import { createHash } from "node:crypto";

/**
 * The development keyring of the TOTP secrets (`TOTP_ENCRYPTION_KEYS`), kid `dev`: derived from a fixed
 * phrase, so anyone can compute it. For local runs and tests only; set real keys anywhere real accounts
 * exist.
 */
export const devTotpKeyId = "dev";
export const devTotpKeys = `${devTotpKeyId}:${createHash("sha256").update("marquee identity totp dev key - NOT SECRET").digest("base64")}`;
